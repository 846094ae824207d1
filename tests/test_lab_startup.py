"""tools/lab_startup.py, the IPython start-up file of `make lab`: a kernel skips `#| slow` cells unless DDPM_NB_FULL=1,
and runs every other cell as it is. (bench/bench_run_all.py times Run All in JupyterLab with it.)"""
import importlib.util
from pathlib import Path
import pytest
from IPython.core.interactiveshell import InteractiveShell

spec = importlib.util.spec_from_file_location('lab_startup', Path(__file__).resolve().parents[1] / 'tools' / 'lab_startup.py')
lab_startup = importlib.util.module_from_spec(spec); spec.loader.exec_module(lab_startup)


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    lab_startup.load_ipython_extension(sh)
    lab_startup.load_ipython_extension(sh)                  # loading twice adds it once
    assert sh.input_transformers_cleanup.count(lab_startup.skip_slow) == 1
    yield sh
    sh.input_transformers_cleanup.remove(lab_startup.skip_slow)
    InteractiveShell.clear_instance()


@pytest.mark.parametrize('cell', ['#| slow\nx = 2', '#| slow\n#| hide\nx = 2', '#| hide\n#|slow\nx = 2', '\n# | slow\nx = 2'])
def test_slow_cells_are_skipped(shell, cell, monkeypatch, capsys):
    monkeypatch.delenv('DDPM_NB_FULL', raising=False)
    shell.run_cell('x = 1')
    assert shell.run_cell(cell).success
    assert shell.user_ns['x'] == 1
    assert 'make lab FULL=1' in capsys.readouterr().out


@pytest.mark.parametrize('cell', ['x = 2', '#| hide\nx = 2', 'x = 2  #| slow', '#| export\n# slow\nx = 2', '#| slowest\nx = 2'])
def test_other_cells_run(shell, cell, monkeypatch):
    monkeypatch.delenv('DDPM_NB_FULL', raising=False)
    shell.run_cell('x = 1')
    assert shell.run_cell(cell).success and shell.user_ns['x'] == 2


def test_full_runs_slow_cells(shell, monkeypatch):
    monkeypatch.setenv('DDPM_NB_FULL', '1')
    shell.run_cell('x = 1')
    assert shell.run_cell('#| slow\nx = 2').success and shell.user_ns['x'] == 2
