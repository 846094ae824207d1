#!/usr/bin/env python3
"""Strip what nbdev_clean keeps but the project does not commit: saved widget state (notebook metadata
`widgets`, widget-view outputs, whose text/plain fallback stays), and jupytext metadata. And collapse, in JupyterLab,
the cells a reader does not need open: every `#| hide` cell (the tests under an example; source and outputs) and the
`#| default_exp` cell, as the README promises.
Usage: strip_widget_state.py [--check] [NOTEBOOK ...]  (default: nbs/**/*.ipynb). --check: exit 1 if a notebook would change."""
import json, re, sys
from pathlib import Path

WIDGET_MIME = 'application/vnd.jupyter.widget-view+json'

COLLAPSED = {'source_hidden': True, 'outputs_hidden': True}
COLLAPSE = re.compile(r'^\s*#\|\s*(hide|default_exp)\b', re.M)


def collapse(cell: dict) -> bool:
    "Collapse a `#| hide` or `#| default_exp` code cell (JupyterLab's `jupyter` cell metadata). Returns whether it changed."
    src = ''.join(cell.get('source', ''))
    if cell.get('cell_type') != 'code' or not COLLAPSE.search(src): return False
    meta = cell.setdefault('metadata', {})
    if all(meta.get('jupyter', {}).get(k) == v for k, v in COLLAPSED.items()): return False
    meta['jupyter'] = dict(meta.get('jupyter', {}), **COLLAPSED)
    return True


def strip(nb: dict) -> bool:
    changed = False
    for k in ('widgets', 'jupytext'):
        if k in nb.get('metadata', {}): del nb['metadata'][k]; changed = True
    for c in nb.get('cells', []):
        changed |= collapse(c)
        outs = []
        for o in c.get('outputs', []):
            d = o.get('data')
            if d and WIDGET_MIME in d:
                del d[WIDGET_MIME]; changed = True
                if not d: continue
            outs.append(o)
        if 'outputs' in c and len(outs) != len(c['outputs']): c['outputs'] = outs; changed = True
    return changed

def main(argv):
    check = '--check' in argv
    paths = [Path(a) for a in argv if a != '--check'] or sorted(Path('nbs').rglob('*.ipynb'))
    dirty = []
    for p in paths:
        if any(part.startswith(('_', '.')) for part in p.parts[:-1][1:]): continue   # as nbdev: no _folders, no .checkpoints
        text = p.read_text(encoding='utf-8')
        nb = json.loads(text)
        if strip(nb):
            dirty.append(str(p))
            if not check:
                p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    if dirty: print(('widget state or open hidden cells in: ' if check else 'stripped widget state, collapsed hidden cells: ') + ', '.join(dirty))
    return 1 if (check and dirty) else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
