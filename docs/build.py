"""Build the course site into `_docs/` (`make docs`): every notebook of `nbs/` a page, in lesson order, as committed.

The notebooks are not executed: their saved outputs are the pages' figures. Before Sphinx (myst-nb, sphinx-book-theme)
renders them, each notebook is copied to `build/docs_src/` and prepared as nbdev prepares its docs:
- cells marked `#| hide` and the `#| default_exp` cell are left out; no `#| ...` directive line is shown;
- an `#| export` cell's code is folded behind a "Show code" toggle, and right under it comes the signature and docstring
  of every function and class that cell exports (autodoc, from `ddpm_nb/_modidx.py`), as nbdev's `show_doc` does;
- a live explorer's output (a widget, which a static page cannot run) becomes a note on how to run it live;
- a test stand-in (a cell that the next, `#| slow` cell repeats at full length: the same names, set again) is left out:
  the page shows the full run, whose outputs are the committed ones;
- every mention of a notebook (`05_metrics`, notebook 03a_runs) in the text is a link to its page, and the sidebar
  gives each lesson its number (03a · Runs).
An API index page lists every exported name with a link to its entry. Math is typeset by a copy of MathJax 3 from the
`django-static-mathjax` package, copied into the site: the build and the site need no network.
Run: `python docs/build.py [--out _docs]` from the checkout (the Makefile's `docs` target does it).
"""
import argparse, ast, copy, hashlib, itertools, importlib.util, json, re, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
SRC = ROOT / 'build' / 'docs_src'
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)')
WIDGET_REPR = re.compile(r'^(VBox|HBox|Box|GridBox|Tab|Accordion|interactive|Output)\(')
PROGRESS_REPR = re.compile(r'^[^\n]*\d+%\|.*\|\s*\d+/\d+')       # a tqdm bar's text fallback, frozen at its first state
LIVE_NOTE = ("```{note}\nA live explorer stands here when the notebook runs: open it with `make lab` (JupyterLab) or "
             "`make explore` (the lecture app, sliders only). The static figure above shows one setting.\n```")
MATHJAX_PARTS = ('tex-chtml.js', 'input', 'output/chtml', 'output/chtml.js', 'ui', 'a11y', 'adaptors')


def assigned_names(src: str) -> set:
    "Names a code cell assigns at top level (`x = …`, `a, b = …`, `x += …`); empty if it does not parse."
    try: tree = ast.parse(src)
    except SyntaxError: return set()
    out = set()
    for n in tree.body:
        targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, (ast.AugAssign, ast.AnnAssign)) else []
        for t in targets:
            out |= {e.id for e in ast.walk(t) if isinstance(e, ast.Name)}
    return out


def stand_ins(cells: list) -> set:
    """Indices of the test stand-ins among `cells`: a code cell (not hidden, not exported) whose names the next code cell,
    marked `#| slow`, assigns again: the quick values `nbdev_test` runs, which the full run replaces."""
    code = [(i, directives(''.join(c['source']))) for i, c in enumerate(cells) if c['cell_type'] == 'code']
    out = set()
    for (i, (d, body)), (_, (d2, body2)) in zip(code, code[1:]):
        if 'slow' in d2 and not ({'hide', 'export', 'exports', 'slow'} & set(d)):
            names = assigned_names(body)
            if names and names <= assigned_names(body2): out.add(i)
    return out


def link_mentions(src: str, stems: set, here: str) -> str:
    """Markdown `src` with each mention of a notebook of `stems` — `` `05_metrics` `` or a bare 05_metrics — a link to its
    page (not inside code blocks, links or math, and not on its own page)."""
    parts = re.split(r'(```.*?```|\$\$.*?\$\$|\$[^$\n]*\$|\[[^\]]*\]\([^)]*\))', src, flags=re.S)
    pat = re.compile(r'`(\d\d[a-z]?_[A-Za-z_]+)(?:\.ipynb)?`|(?<![\w/`.-])(\d\d[a-z]?_[A-Za-z_]+)(?![\w`/.-])')
    def sub(m):
        stem = m.group(1) or m.group(2)
        if stem not in stems or stem == here: return m.group(0)
        return f"[`{stem}`]({stem}.ipynb)" if m.group(1) else f"[{stem}]({stem}.ipynb)"
    return ''.join(p if i % 2 else pat.sub(sub, p) for i, p in enumerate(parts))


def sidebar_title(stem: str, title: str) -> str:
    "The lesson's entry in the sidebar: its number, then its title (`03a · Runs`)."
    return f"{stem.split('_')[0]} · {title}" if re.match(r'\d\d[a-z]?_', stem) else title


def lesson_order():
    "index first, then the numbered notebooks by name (03 before 03a, 09 before 09a)."
    nbs = sorted(p for p in NBS.glob('*.ipynb') if p.stem != 'index')
    return [NBS / 'index.ipynb'] + nbs


def directives(src: str) -> tuple[dict, str]:
    "The cell's `#| name args` lines (as a dict) and its source without them."
    found, keep = {}, []
    for line in src.splitlines():
        m = DIRECTIVE.match(line)
        if m: found[m.group(1)] = line[m.end():].strip()
        else: keep.append(line)
    return found, '\n'.join(keep).strip('\n')


def module_syms() -> dict:
    "`{module: {name: [method, ...]}}` of the public names nbdev exported (from ddpm_nb/_modidx.py)."
    spec = importlib.util.spec_from_file_location('_modidx', ROOT / 'ddpm_nb' / '_modidx.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    out = {}
    for mod, syms in m.d['syms'].items():
        names = out.setdefault(mod, {})
        for full in syms:
            parts = full[len(mod) + 1:].split('.')
            if parts[0].startswith('_'): continue
            meths = names.setdefault(parts[0], [])
            if len(parts) == 2 and not parts[1].startswith('_'): meths.append(parts[1])
    return out


def defined_names(src: str) -> list[str]:
    "Top-level functions and classes a code cell defines, in order."
    try: tree = ast.parse(src)
    except SyntaxError: return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def api_entry(mod: str, name: str, methods: list, is_class: bool) -> str:
    "A MyST cell documenting one exported name with autodoc (signature and docstring)."
    if is_class:
        opts = f"\n   :members: {', '.join(methods)}" if methods else ''
        return f"```{{eval-rst}}\n.. autoclass:: {mod}.{name}{opts}\n```"
    return f"```{{eval-rst}}\n.. autofunction:: {mod}.{name}\n```"


DISPLAY_MATH = re.compile(r'(?s)(^|\n)([ \t]*)\$\$(.+?)\$\$[ \t]*(?=\n|$)')


def display_math_blocks(src: str) -> str:
    """`$$ … $$` that starts a line becomes a block of its own: inside a paragraph, a line of the formula that starts
    with `+` or `-` would otherwise open a Markdown list (JupyterLab protects math first; MyST does not)."""
    return DISPLAY_MATH.sub(lambda m: f"{m.group(1)}\n{m.group(2)}$$\n{m.group(3).strip()}\n{m.group(2)}$$\n", src)


def md_cell(src: str) -> dict:
    return dict(cell_type='markdown', id=hashlib.sha1(src.encode()).hexdigest()[:8] + str(next(_ids)), metadata={}, source=src)

_ids = itertools.count()


def is_widget_output(o: dict, pattern=WIDGET_REPR) -> bool:
    "Whether `o` is what a widget leaves in a saved notebook: its text fallback alone (the live widget is stripped)."
    d = o.get('data', {})
    return o.get('output_type') in ('execute_result', 'display_data') and set(d) <= {'text/plain'} \
        and bool(pattern.match(''.join(d.get('text/plain', ''))))


def prepare(path: Path, syms: dict, stems: set = frozenset()) -> tuple[dict, list]:
    "The notebook at `path` made ready for the site, and the exported names it documents."
    nb = json.loads(path.read_text(encoding='utf-8'))
    mod, cells, documented = None, [], []
    skip = stand_ins(nb['cells'])
    for i, c in enumerate(nb['cells']):
        src = ''.join(c['source'])
        if i in skip: continue
        if c['cell_type'] != 'code':
            if c['cell_type'] == 'markdown': c = dict(c, source=link_mentions(display_math_blocks(src), stems, path.stem))
            cells.append(c); continue
        d, body = directives(src)
        if 'default_exp' in d: mod = f"ddpm_nb.{d['default_exp'].split()[0]}"; continue
        if 'hide' in d or not body.strip(): continue
        c = copy.deepcopy(c); c['source'] = body
        c['metadata'] = {}
        widget = any(is_widget_output(o) for o in c.get('outputs', []))
        c['outputs'] = [o for o in c.get('outputs', []) if not (is_widget_output(o) or is_widget_output(o, PROGRESS_REPR))]
        if 'export' in d or 'exports' in d:
            if 'export' in d: c['metadata']['tags'] = ['hide-input']
            cells.append(c)
            for name in defined_names(body):
                if mod and name in syms.get(mod, {}):
                    cells.append(md_cell(api_entry(mod, name, syms[mod][name], body.count(f'class {name}') > 0)))
                    documented.append((mod, name))
            continue
        cells.append(c)
        if widget: cells.append(md_cell(LIVE_NOTE))
    if mod:                                   # exported names not defined by a plain def/class in an export cell
        rest = [n for n in syms.get(mod, {}) if (mod, n) not in documented]
        if rest:
            obj = importlib.import_module(mod)
            cells.append(md_cell('## More of the API\n\nExported by this notebook, documented here:'))
            for n in rest:
                cells.append(md_cell(api_entry(mod, n, syms[mod][n], isinstance(getattr(obj, n, None), type))))
                documented.append((mod, n))
    nb['cells'] = cells
    nb['metadata'] = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                      'language_info': {'name': 'python'}}
    return nb, documented


def api_index(documented: list, titles: dict, methods: dict) -> str:
    "The API index page: every exported name, by module, linked to its entry."
    lines = ['# API index', '',
             'Every function and class the library exports, by module. Each entry sits on the page of the notebook that '
             'teaches it, with its signature and docstring. The full alphabetical index is [here](genindex).', '']
    by_mod = {}
    for mod, name in documented: by_mod.setdefault(mod, []).append(name)
    for mod in sorted(by_mod, key=lambda m: titles.get(m, ('', ''))[0]):
        page, title = titles.get(mod, ('', mod))
        lines += [f'## `{mod}`', '', f'Taught in [{title}]({page}.ipynb).', '']
        for n in by_mod[mod]:
            lines.append(f'- {{py:obj}}`{mod}.{n}`')
            lines += [f'  - {{py:obj}}`{m} <{mod}.{n}.{m}>`' for m in methods.get((mod, n), [])]
        lines.append('')
    return '\n'.join(lines)


def title_of(nb: dict) -> str:
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(.+)$', ''.join(c['source']), re.M)
            if m: return m.group(1).strip()
    return ''


def vendor_mathjax(static: Path):
    "Copy the parts of MathJax 3 the site uses (TeX input, CommonHTML output with its fonts) to `static/mathjax`."
    spec = importlib.util.find_spec('mathjax')
    if spec is None or not spec.submodule_search_locations:
        sys.exit("MathJax is missing: `pip install django-static-mathjax` (a dev requirement; `make venv` installs it)")
    es5 = Path(list(spec.submodule_search_locations)[0]) / 'static' / 'mathjax' / 'es5'
    if not (es5 / 'tex-chtml.js').exists(): sys.exit(f"no MathJax 3 at {es5}: reinstall django-static-mathjax")
    dest = static / 'mathjax'
    for part in MATHJAX_PARTS:
        s, t = es5 / part, dest / part
        t.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir(): shutil.copytree(s, t, dirs_exist_ok=True)
        elif s.exists(): shutil.copy2(s, t)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(ROOT / '_docs'), help='where the site goes (default _docs/)')
    a = p.parse_args(argv)
    t0 = time.time()
    shutil.rmtree(SRC, ignore_errors=True); SRC.mkdir(parents=True)
    syms, documented, toc, titles = module_syms(), [], [], {}
    stems = {p.stem for p in lesson_order()}
    for path in lesson_order():
        nb, docs = prepare(path, syms, stems)
        (SRC / path.name).write_text(json.dumps(nb, ensure_ascii=False), encoding='utf-8')
        documented += docs
        for mod in {m for m, _ in docs}: titles[mod] = (path.stem, title_of(nb) or path.stem)
        if path.stem != 'index': toc.append(f"{sidebar_title(path.stem, title_of(nb) or path.stem)} <{path.stem}>")
    if (NBS / 'images').is_dir(): shutil.copytree(NBS / 'images', SRC / 'images')
    (SRC / 'api.md').write_text(api_index(documented, titles, {(m, n): syms[m][n] for m, n in documented}), encoding='utf-8')
    # the index notebook is the home page; the toctree lists the lessons in order, then the API index
    idx = json.loads((SRC / 'index.ipynb').read_text(encoding='utf-8'))
    idx['cells'].append(md_cell('```{toctree}\n:hidden:\n:maxdepth: 1\n:caption: Lessons\n\n' + '\n'.join(toc) +
                                '\n```\n\n```{toctree}\n:hidden:\n:caption: Reference\n\napi\n```'))
    (SRC / 'index.ipynb').write_text(json.dumps(idx, ensure_ascii=False), encoding='utf-8')
    shutil.copy2(Path(__file__).with_name('conf.py'), SRC / 'conf.py')
    (SRC / '_static').mkdir(exist_ok=True)
    vendor_mathjax(SRC / '_static')
    out = Path(a.out)
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-q', '-j', '1', '-d', str(ROOT / 'build' / 'docs_doctrees'),
           str(SRC), str(out)]
    r = subprocess.run(cmd, env=dict(__import__('os').environ, DDPM_NB_ROOT=str(ROOT), MPLBACKEND='Agg'))
    if r.returncode: sys.exit(r.returncode)
    print(f"site built in {time.time() - t0:.0f} s: {out / 'index.html'} ({len(toc) + 1} notebook pages, "
          f"{len(documented)} API entries)")


if __name__ == '__main__':
    main()
