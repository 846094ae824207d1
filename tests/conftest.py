"Shared fixtures: the checkout's root and a runner for the installed `ddpm_nb` console script."
import os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _console_script() -> str:
    exe = Path(sys.executable).parent / 'ddpm_nb'
    if exe.is_file(): return str(exe)
    found = shutil.which('ddpm_nb')
    if found: return found
    pytest.fail("the `ddpm_nb` console script is not installed next to this Python: run `pip install -e .` "
                "(`make venv` does it)", pytrace=False)


@pytest.fixture(scope='session')
def root() -> Path:
    "The checkout's root folder."
    return ROOT


@pytest.fixture(scope='session')
def cli():
    """`cli(*args, cwd=DIR)` runs the installed `ddpm_nb` console script as a user would, in `cwd`, and returns the
    `subprocess.CompletedProcess` (text stdout/stderr)."""
    exe = _console_script()
    env = dict(os.environ, PYTHONPATH=str(ROOT))        # the checkout under test, whichever copy the script was installed from
    env.setdefault('MPLBACKEND', 'Agg')

    def run(*args, cwd, timeout: float = 600):
        return subprocess.run([exe, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    return run


def pytest_configure(config):
    config.addinivalue_line('markers', "slow: an end-to-end test of minutes; `make test` leaves it out, `make test-slow` "
                                       "runs it, and CI (.ci/run) runs both")
