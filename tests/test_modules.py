"""The exported modules compile without warnings: an invalid escape in a docstring (a notebook's LaTeX description, say)
is a DeprecationWarning today and a SyntaxError in a later Python."""
import warnings
from pathlib import Path
import pytest

MODULES = sorted((Path(__file__).resolve().parents[1] / 'ddpm_nb').glob('*.py'))

@pytest.mark.parametrize('path', MODULES, ids=lambda p: p.name)
def test_module_compiles_without_warnings(path):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        compile(path.read_text(encoding='utf-8'), str(path), 'exec')
