"""What the committed notebooks show a reader (and the site, which renders them as committed): no temporary-directory
path or host note in any output, every hidden cell collapsed, and no NaN in any table."""
import json, re, sys, tempfile
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / 'nbs').glob('*.ipynb'))
sys.path.insert(0, str(REPO / 'tools'))
from strip_widget_state import COLLAPSE, COLLAPSED

# a temporary folder as tempfile names it (/tmp/tmpab12cd34, /tmp/ddpm_nb_cache_xyz, $TMPDIR/...), or a host note
TEMP = re.compile('|'.join([re.escape(tempfile.gettempdir().rstrip('/')) + r'/', r'/tmp/', r'\btmp[a-z0-9_]{8}\b',
                            r'/var/folders/', r'load before:', r'\bcores?; load\b']))
NAN_CELL = re.compile(r'<td[^>]*>\s*(NaN|nan|None)\s*</td>')


def outputs(nb):
    for i, c in enumerate(nb['cells']):
        for o in c.get('outputs', []):
            texts = [o.get('text', '')] + list(o.get('data', {}).values()) + [o.get('evalue', ''), *o.get('traceback', [])]
            for t in texts:
                if isinstance(t, list): t = ''.join(t)
                if isinstance(t, str): yield i, o, t


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_no_temporary_paths_or_host_notes(path):
    found = [(i, m.group(0), t[max(0, m.start() - 60):m.end() + 40]) for i, _, t in outputs(json.loads(path.read_text()))
             for m in [TEMP.search(t)] if m]
    assert not found, f"{path.name}: outputs hold temporary paths or host notes: {found[:5]}"


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_hidden_cells_are_collapsed(path):
    nb = json.loads(path.read_text())
    open_cells = [i for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code' and COLLAPSE.search(''.join(c['source']))
                  and any(c.get('metadata', {}).get('jupyter', {}).get(k) != v for k, v in COLLAPSED.items())]
    assert not open_cells, f"{path.name}: hidden cells not collapsed (run `make clean-nbs`): {open_cells}"


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_no_nan_in_tables(path):
    bad = []
    for i, o, t in outputs(json.loads(path.read_text())):
        html = o.get('data', {}).get('text/html')
        if html is not None and NAN_CELL.search(''.join(html) if isinstance(html, list) else html): bad.append(i)
        elif 'text/html' not in o.get('data', {}) and re.search(r'^\s*\d+\s.*\bNaN\b', t, re.M): bad.append(i)  # a printed frame
    assert not bad, f"{path.name}: tables with NaN in cells {sorted(set(bad))}"
