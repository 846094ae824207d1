"""The course's albatross task, end to end through the course's command line (the installed `ddpm_nb`), on a synthetic
stand-in of the course's file: [32 561, 64] points in "pixel" units, and 32 561 prior samples x_T. Train with the report's
albatross settings (linear β 0.001..0.02, T = 100, lr 0.01, batch 100; 1 epoch here instead of 100), then reproduce
from the priors with z = 0 at every step (`--deterministic`) into the course's file `albatross_samples_reproduce.npy`,
twice: the same file, bit for bit, in the data's units. Bad files are one line each, and nothing is written."""
import pytest
import json
import numpy as np
from cli_checks import ok, bad

N, D = 32_561, 64
SETTINGS = ['--n_steps', '100', '--lbeta', '0.001', '--ubeta', '0.02', '--epochs', '1', '--batch_size', '100', '--lr', '0.01',
            '--dataset', 'albatross', '--n_dim', '64', '--data-path', 'data/albatross.npy', '--seed', '0', '--quiet']
REPRODUCE = ['--prior-samples', 'data/albatross_prior_samples.npy', '--deterministic']
OUT = 'albatross_samples_reproduce.npy'


def _files(folder):
    return {p: p.read_bytes() for p in folder.rglob('*') if p.is_file()}


@pytest.mark.slow      # the full-size task ([32 561, 64], the course's file): minutes
def test_albatross_reproduce(cli, tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / 'data').mkdir()
    data = np.clip(rng.normal(120, 40, (N, D)) + 60 * np.sin(np.arange(D) / 5), 0, 255)
    np.save(tmp_path / 'data/albatross.npy', data)
    np.save(tmp_path / 'data/albatross_prior_samples.npy', rng.standard_normal((N, D)).astype(np.float32))
    ok(cli('--mode', 'train', *SETTINGS, cwd=tmp_path))
    r = ok(cli('--mode', 'sample', *SETTINGS, *REPRODUCE, cwd=tmp_path))
    assert OUT in r.stdout
    first = (tmp_path / OUT).read_bytes()
    ok(cli('--mode', 'sample', *SETTINGS, *REPRODUCE, cwd=tmp_path))
    assert (tmp_path / OUT).read_bytes() == first                      # the same file, bit for bit
    S = np.load(tmp_path / OUT)
    assert S.shape == (N, D) and np.isfinite(S).all()
    # in the data's units: the samples cover the data's range (0..255), not the network's [-1, 1]
    lo, hi = data.min(), data.max()
    assert lo - 0.5 * (hi - lo) < S.min() and S.max() < hi + 0.5 * (hi - lo), (S.min(), S.max())
    assert S.max() - S.min() > 0.25 * (hi - lo) and abs(S.mean() - data.mean()) < 0.25 * (hi - lo), (S.mean(), data.mean())

    # bad files: one line each, and nothing written or lost
    np.save(tmp_path / 'data/prior_wrong.npy', np.zeros((N, 63), np.float32))
    np.save(tmp_path / 'data/labelled.npy', np.c_[data[:500], np.zeros(500)])
    before = _files(tmp_path)
    bad(cli('--mode', 'sample', *SETTINGS, '--prior-samples', 'data/prior_wrong.npy', '--deterministic', cwd=tmp_path),
        f"has shape [{N}, 63]; expected [N, 64]")
    bad(cli('--mode', 'train', *SETTINGS, '--data-path', 'data/labelled.npy', '--out', 'other', cwd=tmp_path),
        "has 65 columns, points and a class column, but 'albatross' has no labels")
    assert _files(tmp_path) == before
    run = tmp_path / 'exps/ddpm_64_100_0.001_0.02_albatross'
    cfg = json.loads((run / 'config.json').read_text())
    assert len(cfg['data_normalisation']['lo']) == D
    cfg.pop('data_normalisation')                                        # a run saved before the record existed
    (run / 'config.json').write_text(json.dumps(cfg, indent=2))
    before = _files(tmp_path)
    bad(cli('--mode', 'sample', *SETTINGS, *REPRODUCE, cwd=tmp_path), "has no record of its data's normalisation")
    assert _files(tmp_path) == before
