"""`pip install` of the checkout gives a working library and the `ddpm_nb` command: build the wheel, install it into a
clean virtual environment (no site packages of this one), and from a folder outside the checkout import every module
and run the command. Takes a minute or two: most of it is installing torch and the other requirements."""
import pytest
import os, shutil, subprocess, sys, textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH = 'torch==2.13.0'   # pinned first: the CPU build on disk; an unpinned torch would pull a multi-GB CUDA build
# what the wheel is built from: the checkout less what is not part of the package source
IGNORE = shutil.ignore_patterns('.git', '.venv', 'venv', 'nbs', 'tests', 'bench', 'results', 'build', 'dist', '*.egg-info',
                                '__pycache__', '.pytest_cache', 'demo_out', 'exps', '.nbsrc_scratch', '_proc', '_docs')


def sh(*cmd, cwd=None, env=None, timeout=900):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} exited {r.returncode}\nstdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-4000:]}"
    return r


def build_wheel(src: Path, out: Path) -> Path:
    "Build the wheel of `src` into `out` with pip (without build isolation when setuptools is at hand: no index needed)."
    try:
        import setuptools  # noqa: F401
        isolation = ['--no-build-isolation']
    except ImportError: isolation = []
    sh(sys.executable, '-m', 'pip', 'wheel', '--no-deps', *isolation, '-w', out, src)
    wheels = list(out.glob('ddpm_nb-*.whl'))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow      # a clean venv with torch and every requirement installed: minutes
def test_wheel_in_clean_venv(tmp_path):
    src = tmp_path / 'src'
    shutil.copytree(ROOT, src, ignore=IGNORE)
    wheel = build_wheel(src, tmp_path / 'wheels')

    venv = tmp_path / 'venv'
    sh(sys.executable, '-m', 'venv', venv)
    py, exe = venv / 'bin' / 'python', venv / 'bin' / 'ddpm_nb'
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME')}
    env['MPLBACKEND'] = 'Agg'
    sh(py, '-m', 'pip', 'install', '-q', '--no-compile', TORCH, env=env)
    sh(py, '-m', 'pip', 'install', '-q', '--no-compile', wheel, env=env)

    away = tmp_path / 'elsewhere'; away.mkdir()
    modules = sorted(p.stem for p in (ROOT / 'ddpm_nb').glob('*.py') if p.stem != '__init__')
    check = textwrap.dedent(f"""
        import importlib, pkgutil, sys
        from pathlib import Path
        import ddpm_nb
        assert Path(ddpm_nb.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), ddpm_nb.__file__
        found = sorted(m.name for m in pkgutil.iter_modules(ddpm_nb.__path__))
        assert found == {modules!r}, f"wheel holds {{found}}, checkout has {modules!r}"
        for name in found: importlib.import_module('ddpm_nb.' + name)
        print(ddpm_nb.__version__, *found)
        """)
    r = sh(py, '-c', check, cwd=away, env=env)
    assert 'cli' in r.stdout.split()

    r = sh(exe, '--help', cwd=away, env=env)
    for cmd in ('train', 'sample', 'evaluate', 'demo'): assert cmd in r.stdout
    # and the installed command trains and samples
    sh(exe, 'train', '--n_steps', '5', '--epochs', '1', '--quiet', cwd=away, env=env)
    r = sh(exe, 'sample', '--n_steps', '5', '--n_samples', '10', cwd=away, env=env)
    assert (away / 'exps/ddpm_2_5_0.001_0.02_moons/samples_42_10.npy').is_file(), r.stdout
    # and the course's form, through the command and through `python -m ddpm_nb.cli`
    course = ['--n_steps', '5', '--lbeta', '1e-4', '--epochs', '1', '--n_samples', '10', '--seed', '3']
    sh(exe, '--mode', 'train', *course, '--quiet', cwd=away, env=env)
    r = sh(py, '-m', 'ddpm_nb.cli', '--mode', 'sample', *course, cwd=away, env=env)
    assert (away / 'exps/ddpm_2_5_0.0001_0.02_moons/samples_3_10.pth').is_file(), r.stdout
