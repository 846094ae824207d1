"""The `ddpm_nb` console script end to end, run as a user runs it: a subprocess in a temporary folder, tiny runs.
(Notebook 10_cli tests the same commands through `main`; this checks the installed command, its exit codes and its
stderr, which a notebook cannot.)"""
import importlib.util, json, os
from pathlib import Path
import numpy as np
import pytest
import torch
from cli_checks import ok, bad

T = '10'
RUN = ['--dataset', 'moons', '--n_steps', T, '--seed', '0']          # --out defaults to the current folder
RUN_DIR = Path('exps/ddpm_2_10_0.001_0.02_moons')
COND_DIR = Path('exps/ddpm_2_10_0.001_0.02_moons_cond')


@pytest.fixture(scope='module')
def work(tmp_path_factory, cli):
    "A folder with an unconditional and a conditional tiny run of moons, trained through the console script."
    d = tmp_path_factory.mktemp('cli')
    r = ok(cli('train', *RUN, '--epochs', '2', '--lr', '0.01', '--quiet', cwd=d))
    assert 'model.pth' in r.stdout and r.stderr == ''          # --quiet: no progress bar
    ok(cli('train', *RUN, '--conditional', '--epochs', '2', '--lr', '0.01', '--quiet', cwd=d))
    TRAINED[d] = sorted(p.name for p in (d / RUN_DIR).iterdir())       # before any test writes samples into the run
    return d


TRAINED = {}


def test_help(cli, tmp_path):
    r = ok(cli('--help', cwd=tmp_path))
    for cmd in ('train', 'sample', 'evaluate', 'demo', 'classify', 'sweep'): assert cmd in r.stdout
    r = ok(cli('train', '--help', cwd=tmp_path))
    for flag in ('--n_steps', '--lbeta', '--ubeta', '--epochs', '--batch_size', '--lr', '--dataset', '--seed', '--n_dim',
                 '--scheduler', '--out', '--model', '--conditional', '--p-uncond', '--quiet'): assert flag in r.stdout, flag
    r = ok(cli('sample', '--help', cwd=tmp_path))
    for flag in ('--n_samples', '--prior-samples', '--sampler', '--ddim-steps', '--class-label', '--guidance-scale'):
        assert flag in r.stdout, flag
    bad(cli(cwd=tmp_path), 'required')


def test_train_writes_course_run_folder(work):
    run = work / RUN_DIR
    assert TRAINED[work] == ['.ddpm_nb-run', 'config.json', 'model.pth']
    cfg = json.loads((run / 'config.json').read_text())
    assert cfg['model_class'] == 'DDPM' and cfg['epochs'] == 2 and cfg['seed'] == 0
    assert cfg['scheduler'] == dict(num_timesteps=10, type='linear', beta_start=0.001, beta_end=0.02)
    assert json.loads((work / COND_DIR / 'config.json').read_text())['model_class'] == 'ConditionalDDPM'


def test_progress_bar_by_default(cli, tmp_path):
    r = ok(cli('train', *RUN, '--epochs', '1', '--out', 'o', cwd=tmp_path))
    assert 'train' in r.stderr and '%' in r.stderr, r.stderr              # tqdm's bar, on stderr
    assert (tmp_path / 'o' / RUN_DIR / 'model.pth').is_file()


def test_sample_and_evaluate(cli, work):
    r = ok(cli('sample', *RUN, '--n_samples', '300', cwd=work))
    pt, npy = work / RUN_DIR / 'samples_0_300.pt', work / RUN_DIR / 'samples_0_300.npy'
    assert str(RUN_DIR / 'samples_0_300.pt') in r.stdout
    S = torch.load(pt, weights_only=True)
    assert S.shape == (300, 2) and torch.isfinite(S).all()
    assert np.array_equal(np.load(npy), S.numpy())
    ok(cli('sample', *RUN, '--n_samples', '300', cwd=work))                 # same flags, same seed: same samples
    assert torch.equal(torch.load(pt, weights_only=True), S)
    r = ok(cli('evaluate', *RUN, '--n_samples', '300', cwd=work))
    m = json.loads((work / RUN_DIR / 'metrics_0_300.json').read_text())
    for k in ('emd', 'emd_std', 'emd_floor', 'emd_floor_std', 'course_nll', 'course_nll_floor', 'heldout_nll', 'heldout_nll_floor',
              'emd_ratio', 'n'): assert k in m, k
    assert m['n'] == 300 and m['n_test'] == 1600 and m['emd'] > 0
    png = work / RUN_DIR / 'samples_0_300.png'
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert 'metrics_0_300.json' in r.stdout and 'samples_0_300.png' in r.stdout


def test_ddim_and_prior(cli, work, tmp_path):
    r = ok(cli('sample', *RUN, '--sampler', 'ddim', '--ddim-steps', '4', '--n_samples', '50', cwd=work))
    assert (work / RUN_DIR / 'samples_0_50_ddim4.npy').is_file()
    prior = torch.randn(64, 2, generator=torch.Generator().manual_seed(3))
    np.save(tmp_path / 'prior.npy', prior.numpy()); torch.save(prior, tmp_path / 'prior.pt')
    ok(cli('sample', *RUN, '--prior-samples', tmp_path / 'prior.npy', cwd=work))     # n_samples from the file
    a = np.load(work / RUN_DIR / 'samples_0_64_prior.npy')
    ok(cli('sample', *RUN, '--prior-samples', tmp_path / 'prior.pt', '--n_samples', '64', cwd=work))
    assert np.array_equal(np.load(work / RUN_DIR / 'samples_0_64_prior.npy'), a)       # same prior + seed: bit-identical


def test_conditional_guided_sampling(cli, work):
    ok(cli('sample', *RUN, '--conditional', '--class-label', '1', '--guidance-scale', '2', '--n_samples', '100', cwd=work))
    S = np.load(work / COND_DIR / 'samples_0_100_class1_w2.npy')
    assert S.shape == (100, 2) and np.isfinite(S).all()
    ok(cli('evaluate', *RUN, '--conditional', '--class-label', '1', '--guidance-scale', '2', '--n_samples', '100', cwd=work))
    m = json.loads((work / COND_DIR / 'metrics_0_100_class1_w2.json').read_text())
    assert m['class_label'] == 1 and 0 < m['n_test'] < 1600                 # scored against class 1's held-out points
    ok(cli('sample', *RUN, '--conditional', '--n_samples', '20', cwd=work))  # no label: the null class (unconditional)
    assert (work / COND_DIR / 'samples_0_20.npy').is_file()


# the bad inputs the command must refuse (the notebook tests these and more through `main`)
@pytest.mark.parametrize('args, contains', [
    (['train', '--dataset', 'mooons'], "argument --dataset: invalid choice: 'mooons' (choose from 'moons'"),
    (['train', '--lbeta', '1.5'], "argument --lbeta: must be a number in (0, 1), got '1.5'"),
    (['train', '--lbeta', '0.05', '--ubeta', '0.02'], "--lbeta (0.05) must not exceed --ubeta (0.02)"),
    (['train', '--dataset', 'moons', '--n_dim', '3'], "--n_dim 3 does not match dataset 'moons', which has n_dim 2"),
    (['sample', *RUN, '--n_steps', '11'], "no checkpoint in 'exps/ddpm_2_11_0.001_0.02_moons'"),
    (['sample', *RUN, '--prior-samples', 'prior_bad.npy'], "has shape [7, 3]; expected [N, 2]"),
    (['sample', *RUN, '--conditional', '--class-label', '2'], "--class-label 2 out of range: this run has 2 classes, allowed 0..1"),
    (['sample', *RUN, '--conditional', '--class-label', '0', '--guidance-scale', 'nan'],
     "argument --guidance-scale: must be a finite number, got 'nan'"),
    (['sample', *RUN, '--class-label', '1'], "--class-label needs a conditional run"),
    (['sample', *RUN, '--clip', '-1'], "argument --clip: must be a positive number, or off (no clipping), got '-1'"),
    (['train', '--n-data', '0'], "argument --n-data: must be a positive integer, got '0'"),
    (['train', '--n-data', '20000000'], "--n-data 20000000: n_samples must be a positive integer, at most 10000000"),
    (['train', '--dataset', 'digits', '--n-data', '5000'], "--n-data 5000: n_samples=5000 is more than the 1797 points digits has; ask for at most 1797"),
    (['sweep', '--betas', '0.001'], "argument --betas: a β pair is LOW,HIGH (e.g. 0.001,0.02), got '0.001'"),
    (['sweep', '--study', 'full', '--datasets', 'moons'], "--study full fixes the grid; drop --datasets"),
    (['sweep', '--workers', '99999999999999999999', '--dry-run'], "argument --workers: must be an integer in [0, "),
    (['train', '--lr', '1e39'], "argument --lr: must be a positive finite number within float32's range"),
    (['sample', *RUN, '--clip', '1e308'], "argument --clip: must be a positive number, or off (no clipping) within float32's range"),
    (['train', *RUN, '--run', 'r' * 250], "use a name of at most 241 bytes"),
])
def test_bad_input(cli, work, args, contains):
    np.save(work / 'prior_bad.npy', np.zeros((7, 3), np.float32))
    bad(cli(*args, cwd=work), contains)


def test_failed_run_keeps_earlier_files(cli, work):
    run = work / RUN_DIR
    ok(cli('sample', *RUN, '--n_samples', '20', cwd=work))      # an output of the model, whatever ran before this test
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    bad(cli('train', *RUN, '--epochs', '1', '--lr', '1e30', '--quiet', cwd=work), 'holds outputs of the model already there')
    bad(cli('train', *RUN, '--epochs', '1', '--lr', '1e30', '--force', '--quiet', cwd=work), 'try a smaller learning rate')
    bad(cli('train', *RUN, '--n_dim', '3', cwd=work), 'does not match')
    np.save(work / 'prior_bad.npy', np.zeros((7, 3), np.float32))
    bad(cli('sample', *RUN, '--prior-samples', 'prior_bad.npy', cwd=work), 'expected [N, 2]')
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


def test_demo_prints_where_results_went(cli, tmp_path):
    r = ok(cli('demo', '--out', 'demo_out', '--epochs', '1', '--n_samples', '200', '--quiet', cwd=tmp_path))
    lines = {l.split(':')[0].strip(): l.split(':', 1)[1].strip() for l in r.stdout.splitlines()
             if l.strip().startswith(('samples:', 'figure:', 'metrics:'))}
    assert set(lines) == {'samples', 'figure', 'metrics'}, r.stdout
    run = tmp_path / 'demo_out/exps/ddpm_2_500_0.001_0.02_moons_cosine_large_n20000'
    assert lines['samples'].startswith(str(Path('demo_out/exps/ddpm_2_500_0.001_0.02_moons_cosine_large_n20000/samples_0_200.pt')))
    for key, name in (('figure', 'samples_0_200.png'), ('metrics', 'metrics_0_200.json')):
        assert lines[key] == str(Path('demo_out/exps/ddpm_2_500_0.001_0.02_moons_cosine_large_n20000') / name)
        assert (run / name).is_file()
    assert json.loads((run / 'config.json').read_text())['scheduler']['type'] == 'cosine'


def test_classify(cli, work, tmp_path):
    pytest.importorskip('ddpm_nb.classifier', reason="ddpm_nb.classifier (notebook 07_classifier) is not built yet")
    r = ok(cli('classify', *RUN, '--n-t', '4', cwd=work))
    assert 'accuracy' in r.stdout
    pred = np.load(work / COND_DIR / 'predictions_test_eps_nt4.npy')
    proba = np.load(work / COND_DIR / 'probabilities_test_eps_nt4.npy')
    assert pred.shape == (1600,) and set(np.unique(pred)) <= {0, 1}
    assert np.allclose(proba.sum(1), 1, atol=1e-4) and np.array_equal(proba.argmax(1), pred)
    np.save(tmp_path / 'points.npy', np.zeros((5, 2), np.float32))
    r = ok(cli('classify', *RUN, '--method', 'report', '--n-t', '3', '--input', tmp_path / 'points.npy', cwd=work))
    assert 'accuracy' not in r.stdout
    assert np.load(work / COND_DIR / 'predictions_points_report_nt3.npy').shape == (5,)
    bad(cli('classify', *RUN, '--run', RUN_DIR, cwd=work), 'classify needs a conditional run')


def test_sweep_is_wired(cli, tmp_path):
    if importlib.util.find_spec('ddpm_nb.experiments') is None:
        bad(cli('sweep', cwd=tmp_path), 'the sweep needs ddpm_nb.experiments')
    else:
        r = ok(cli('sweep', '--help', cwd=tmp_path))
        assert 'usage: ddpm_nb sweep' in r.stdout
        r = ok(cli('sweep', '--datasets', 'moons', '--n_steps', '10', '50', '--schedulers', 'linear', '--dry-run',
                   '--out', 'none.csv', cwd=tmp_path))
        assert r.stdout.startswith('2 runs (grid); results file none.csv holds 0 of them'), r.stdout
        assert not (tmp_path / 'none.csv').exists()


def test_folders_the_tool_did_not_write_are_never_replaced(cli, tmp_path):
    """train --force, and demo (which forces), into a folder holding the user's files: one line naming a file, and every
    file as it was. A config.json without its file list is refused, and one nested too deep is one line."""
    (tmp_path / 'thesis').mkdir(); (tmp_path / 'thesis/thesis.tex').write_text('years of work')
    bad(cli('train', *RUN, '--run', 'thesis', '--force', '--epochs', '1', cwd=tmp_path), 'holds thesis.tex, which ddpm_nb did not write')
    demo_run = tmp_path / 'd/exps/ddpm_2_500_0.001_0.02_moons_cosine_large_n20000'
    demo_run.mkdir(parents=True); (demo_run / 'notes.txt').write_text('mine')
    bad(cli('demo', '--out', 'd', '--epochs', '1', '--quiet', cwd=tmp_path), 'holds notes.txt, which ddpm_nb did not write')
    assert (tmp_path / 'thesis/thesis.tex').read_text() == 'years of work' and (demo_run / 'notes.txt').read_text() == 'mine'
    assert os.listdir(tmp_path / 'thesis') == ['thesis.tex'] and os.listdir(demo_run) == ['notes.txt']
    ok(cli('train', *RUN, '--epochs', '1', '--quiet', cwd=tmp_path))
    cfg_path = tmp_path / RUN_DIR / 'config.json'; good = cfg_path.read_text()
    cfg_path.write_text(json.dumps({k: v for k, v in json.loads(good).items() if k != 'files'}))
    bad(cli('sample', *RUN, '--n_samples', '10', cwd=tmp_path), "has no valid 'files' list")
    cfg_path.write_text('[' * 100_000 + ']' * 100_000)
    bad(cli('sample', *RUN, '--n_samples', '10', cwd=tmp_path), 'nests 100000 deep')
    cfg_path.write_text(good.replace('"t_dim": 4', '"t_dim": 1e39'))
    bad(cli('sample', *RUN, '--n_samples', '10', cwd=tmp_path), "beyond float32's range")
