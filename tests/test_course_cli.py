"""The course's command line, run exactly as the course runs its script, through the installed `ddpm_nb` console script
(and through `python -m ddpm_nb.cli`): `--mode train`, then `--mode sample`, every flag given in both modes, writing the
course's file names `exps/ddpm_{n_dim}_{n_steps}_{lbeta}_{ubeta}_{dataset}/model.pth` and `samples_{seed}_{n_samples}.pth`.
(Notebook 10_cli tests the same form through `main`.)"""
import os, subprocess, sys
from pathlib import Path
import torch
from cli_checks import ok

# the course's line, flag for flag; its script reads --lbeta with type=float and writes it with an f-string: 1e-4 -> 0.0001
COURSE = ['--n_steps', '50', '--lbeta', '1e-4', '--ubeta', '0.02', '--epochs', '40', '--n_samples', '1000',
          '--batch_size', '128', '--lr', '1e-3', '--dataset', 'moons', '--seed', '42', '--n_dim', '2']
RUN = Path('exps/ddpm_2_50_0.0001_0.02_moons')


def test_course_command_line_exactly(cli, tmp_path):
    "The course's line as it is: train, then sample, into the course's folder and file names."
    r = ok(cli('--mode', 'train', *COURSE, cwd=tmp_path))
    assert 'unrecognized arguments' not in r.stderr
    assert (tmp_path / RUN / 'model.pth').is_file() and str(RUN / 'model.pth') in r.stdout
    r = ok(cli('--mode', 'sample', *COURSE, cwd=tmp_path))
    f = tmp_path / RUN / 'samples_42_1000.pth'
    assert str(RUN / 'samples_42_1000.pth') in r.stdout
    S = torch.load(f, weights_only=True)
    assert isinstance(S, torch.Tensor) and S.shape == (1000, 2) and S.dtype == torch.float32 and torch.isfinite(S).all()
    assert sorted(p.name for p in (tmp_path / RUN).iterdir()) == ['.ddpm_nb-run', 'config.json', 'model.pth', 'samples_42_1000.pth']
    # model.pth is a state_dict (loaded the safe way), as a course script loads it
    state = torch.load(tmp_path / RUN / 'model.pth', weights_only=True)
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())
    # the same line again: the same samples (the seed fixes them)
    ok(cli('--mode', 'sample', *COURSE, cwd=tmp_path))
    assert torch.equal(torch.load(f, weights_only=True), S)


def _course(**changes):
    "COURSE with some values changed (the flags keep their order)."
    out = list(COURSE)
    for k, v in changes.items(): out[out.index(f'--{k}') + 1] = str(v)
    return out


def test_python_m_ddpm_nb_cli(tmp_path):
    "`python -m ddpm_nb.cli --mode ...`, as the course runs `python ddpm.py --mode ...` (few epochs)."
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env.setdefault('MPLBACKEND', 'Agg')
    line = _course(epochs=2, n_samples=64)
    for mode in ('train', 'sample'):
        ok(subprocess.run([sys.executable, '-m', 'ddpm_nb.cli', '--mode', mode, *line], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600, env=env))
    S = torch.load(tmp_path / RUN / 'samples_42_64.pth', weights_only=True)
    assert S.shape == (64, 2) and torch.isfinite(S).all()


def test_course_form_other_values_and_errors(cli, tmp_path):
    "Other values name other folders the course's way; a bad value is one line on stderr, status 2."
    line = _course(n_steps=20, lbeta=0.002, ubeta=0.05, epochs=1, n_samples=30, seed=7)
    ok(cli('--mode', 'train', *line, '--quiet', cwd=tmp_path))
    ok(cli('--mode', 'sample', *line, cwd=tmp_path))
    S = torch.load(tmp_path / 'exps/ddpm_2_20_0.002_0.05_moons/samples_7_30.pth', weights_only=True)
    assert S.shape == (30, 2)
    r = ok(cli('--mode', 'train', '--help', cwd=tmp_path))
    for flag in ('--mode', '--n_steps', '--lbeta', '--ubeta', '--epochs', '--n_samples', '--batch_size', '--lr', '--dataset',
                 '--seed', '--n_dim'): assert flag in r.stdout, flag
    for args, contains in ((['--mode', 'fit'], "argument --mode: invalid choice: 'fit'"),
                           (['--mode', 'train', *_course(n_dim=3)], "--n_dim 3 does not match dataset 'moons'"),
                           (['--mode', 'sample', *_course(n_steps=11)], "no checkpoint in")):
        r = cli(*args, cwd=tmp_path)
        assert r.returncode == 2 and 'Traceback' not in r.stderr and r.stderr.count('\n') == 1, r.stderr
        assert contains in r.stderr, r.stderr
