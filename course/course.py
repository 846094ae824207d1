"""The course: student assignments and their autograder, generated from the workbook's notebooks (issue 24).

    python course/course.py assignment [--out _course]        # `make assignment`
    python course/course.py grade SUBMISSIONS [--out graded]  # `make grade SUBMISSIONS=folder`

The tool is nbgrader (Jupyter's own): this file only writes nbgrader's source notebooks from the marks in nbs/ and
drives nbgrader's own commands, one process per submission. What it does:

- `assignment`: for each assignment in `ASSIGNMENTS`, one notebook from its source notebooks in order: their lesson text
  (markdown) and exported code, with the `#| exercise QUESTION TARGET...` marks turned into nbgrader's solution regions
  (`### BEGIN SOLUTION` around each target's body, after its signature and docstring) and, after each source notebook,
  one graded test cell per question from course/tests/QUESTION.py (its top part visible to the student as a smoke test,
  its `### BEGIN HIDDEN TESTS` part hidden). An import of the solution (`from ddpm_nb.<module of this assignment>`) is
  dropped: those names are defined in the notebook above. `nbgrader generate_assignment` then writes the student
  notebooks, with the bodies stubbed and the hidden tests removed, to release/ASSIGNMENT/ASSIGNMENT.ipynb.
- `grade`: SUBMISSIONS/STUDENT/ASSIGNMENT.ipynb, each copied fresh into a grading folder and autograded by its own
  `nbgrader autograde` process (a time limit per cell, interrupting the kernel, and one for the whole submission);
  `nbgrader generate_feedback` writes each student's HTML feedback; the scores are read from nbgrader's gradebook into
  OUT/gradebook.csv (student, assignment, question, points, max_points, total, note). A submission that is not a
  notebook, or whose grading fails or runs out of time, gets zero for every question, a note saying why, and a
  feedback page; the run goes on with the next one.

Isolation: student code runs as the grader's own user, in a Jupyter kernel on this machine, with this environment and
its files (it can read and write whatever that user can). The per-submission process and fresh copy keep one
submission's crash or hang from touching another's grade; they are no sandbox. Grade untrusted work inside a container
(see course/README.md).
"""
from __future__ import annotations
import argparse, ast, csv, html, os, re, shutil, signal, subprocess, sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NBS = ROOT / 'nbs'
TESTS = HERE / 'tests'

# assignment -> its title, source notebooks (in order) and points per question (the questions are the marks' names)
ASSIGNMENTS = {
    'a1_forward_model': dict(
        title='Assignment 1: the forward process, the ancestral step and the network',
        notebooks=['01_schedules', '02_model'],
        points={'schedules': 2, 'add_noise': 2, 'step': 3, 'time_embedding': 2, 'forward': 2, 'conditional_ddpm': 2}),
    'a2_training': dict(
        title='Assignment 2: training',
        notebooks=['03_training'],
        points={'train': 4, 'train_conditional': 2}),
    'a3_sampling_classifier': dict(
        title='Assignment 3: sampling, guidance and the diffusion classifier',
        notebooks=['04_sampling', '07_classifier'],
        points={'sample': 2, 'sample_conditional': 2, 'sample_cfg': 2, 'classifier': 3}),
}

INTRO = """# {title}

Generated from the workbook's notebooks {nbs} by `make assignment`. Fill in every function body that says
`raise NotImplementedError()`: keep each signature and docstring, and write the body any way you like (torch, numpy,
loops). Run the notebook top to bottom; each **Check** cell runs a visible smoke test of one question. The graded tests
are hidden: they check behaviour (shapes, values against the formulas in the text, statistics), not your code's form.
The parts of the lessons that are not exercises are here as they are, or come from the `ddpm_nb` library (installed
with the workbook's environment); never import an exercise's solution from it.

Points: {points}. Each Check cell may take at most {timeout} s when graded.
"""


def _directives(src: str) -> tuple[list[str], str]:
    "The leading `#| ...` lines of a cell (without `#|`) and the rest of its source."
    lines, i = src.splitlines(keepends=True), 0
    dirs = []
    while i < len(lines) and lines[i].startswith('#|'):
        dirs.append(lines[i][2:].strip()); i += 1
    return dirs, ''.join(lines[i:])


def marks(nb: str) -> list[tuple[int, str, list[str]]]:
    "The exercise marks of notebook `nb`: (cell index, question, targets) for each `#| exercise QUESTION TARGET...`."
    out = []
    for i, c in enumerate(nbformat.read(NBS / f'{nb}.ipynb', as_version=4).cells):
        if c.cell_type != 'code': continue
        for d in _directives(c.source)[0]:
            if d.split()[:1] == ['exercise']:
                q, *targets = d.split()[1:]
                out.append((i, q, targets))
    return out


def _module(nb: str) -> str:
    "The module a notebook exports to (its `#| default_exp`)."
    for c in nbformat.read(NBS / f'{nb}.ipynb', as_version=4).cells:
        for d in _directives(c.source)[0] if c.cell_type == 'code' else []:
            if d.startswith('default_exp'): return d.split()[1]
    raise ValueError(f'{nb} has no #| default_exp')


def _patched_onto(f: ast.FunctionDef) -> str | None:
    "The class that fastcore's `@patch` adds `f` to (the annotation of its first argument), or None."
    if not any(isinstance(d, ast.Name) and d.id == 'patch' for d in f.decorator_list) or not f.args.args: return None
    ann = f.args.args[0].annotation
    return ann.id if isinstance(ann, ast.Name) else None


def _find(tree: ast.Module, target: str) -> ast.FunctionDef:
    """The function `name`, or the method `Class.name`, defined at the top of a cell: inside `class Class`, or as a
    function that fastcore's `@patch` adds to it (`def name(self: Class, ...)`)."""
    *cls, name = target.split('.')
    funcs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    if cls:
        body = next((n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls[0]), [])
        funcs = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name] + \
                [f for f in funcs if _patched_onto(f) == cls[0]]
    if funcs: return funcs[0]
    raise ValueError(f'no function {target} in the marked cell')


def solution_regions(src: str, targets: list[str]) -> str:
    "`src` with nbgrader's solution markers around the body (after the docstring) of each target."
    tree, lines = ast.parse(src), src.splitlines()
    spans = []
    for target in targets:
        f = _find(tree, target)
        body = f.body[1:] if (isinstance(f.body[0], ast.Expr) and isinstance(getattr(f.body[0], 'value', None), ast.Constant)
                              and isinstance(f.body[0].value.value, str)) else f.body
        if not body or body[0].lineno == f.lineno: raise ValueError(f'{target}: its body must start on a line of its own')
        spans.append((body[0].lineno, f.end_lineno, ' ' * body[0].col_offset))
    for start, end, ind in sorted(spans, reverse=True):
        lines[end:end] = [f'{ind}### END SOLUTION']
        lines[start - 1:start - 1] = [f'{ind}### BEGIN SOLUTION']
    return '\n'.join(lines)


def drop_imports(src: str, modules: set[str]) -> str:
    "`src` without its top-level `from ddpm_nb.M import ...` of the modules `modules` (defined in the notebook above)."
    tree, lines = ast.parse(src), src.splitlines()
    for n in sorted((n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module
                     and n.module.startswith('ddpm_nb.') and n.module.split('.', 1)[1] in modules),
                    key=lambda n: -n.lineno):
        del lines[n.lineno - 1:n.end_lineno]
    return '\n'.join(lines)


def _nbgrader(**meta) -> dict:
    return {'nbgrader': dict(schema_version=3, **meta)}


def source_notebook(name: str, timeout: int = 30) -> nbformat.NotebookNode:
    "The nbgrader source notebook (solutions marked, all tests) of assignment `name`."
    spec = ASSIGNMENTS[name]
    modules = {_module(nb) for nb in spec['notebooks']}
    pts = ', '.join(f'`{q}` {p}' for q, p in spec['points'].items()) + f' (total {sum(spec["points"].values())})'
    cells = [nbformat.v4.new_markdown_cell(INTRO.format(title=spec['title'], points=pts, timeout=timeout,
                                                        nbs=', '.join(f'`{nb}`' for nb in spec['notebooks'])))]
    seen = set()
    for nb in spec['notebooks']:
        ex = {i: [] for i, _, _ in marks(nb)}
        for i, q, targets in marks(nb): ex[i].append((q, targets))
        for i, c in enumerate(nbformat.read(NBS / f'{nb}.ipynb', as_version=4).cells):
            if c.cell_type == 'markdown':
                cells.append(nbformat.v4.new_markdown_cell(c.source)); continue
            if c.cell_type != 'code': continue
            dirs, body = _directives(c.source)
            if not any(d.split()[:1] in (['export'], ['exports'], ['exporti']) for d in dirs): continue
            body = drop_imports(body, modules)
            if i in ex:
                qs = [q for q, _ in ex[i]]
                body = solution_regions(body, [t for _, ts in ex[i] for t in ts])
                cells.append(nbformat.v4.new_code_cell(body, metadata=_nbgrader(
                    grade=False, solution=True, locked=False, grade_id=f'{nb[:2]}_cell{i}_' + '_'.join(qs))))
            else:
                cells.append(nbformat.v4.new_code_cell(body))
        for q in dict.fromkeys(q for _, q, _ in marks(nb)):
            if q not in spec['points']: raise ValueError(f'{nb}: question {q!r} has no points in ASSIGNMENTS[{name!r}]')
            seen.add(q)
            cells.append(nbformat.v4.new_markdown_cell(f'### Check: `{q}` ({spec["points"][q]} points)'))
            cells.append(nbformat.v4.new_code_cell((TESTS / f'{q}.py').read_text().rstrip('\n'), metadata=_nbgrader(
                grade=True, solution=False, locked=True, points=spec['points'][q], grade_id=q)))
    if missing := set(spec['points']) - seen: raise ValueError(f'{name}: no exercise mark for {sorted(missing)}')
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = dict(kernelspec=dict(name='python3', display_name='Python 3', language='python'),
                       language_info=dict(name='python'))
    return nb


def _env() -> dict:
    "This environment, with the repository's ddpm_nb first on the path, this Python's tools on PATH and one torch thread per kernel."
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'))
    env['PYTHONPATH'] = os.pathsep.join([str(ROOT)] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    env['PATH'] = os.pathsep.join([str(Path(sys.executable).parent), env.get('PATH', '')])   # nbgrader runs `alembic`
    return env


def _run(args: list[str], cwd: Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    "Run nbgrader's `args` in its own process group; on a timeout the whole group (nbgrader and its kernel) is killed."
    cmd = [sys.executable, '-m', 'nbgrader', *args]
    p = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try: out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL); out, _ = p.communicate()
        return subprocess.CompletedProcess(cmd, None, out)
    return subprocess.CompletedProcess(cmd, p.returncode, out)


def _check(r: subprocess.CompletedProcess, what: str):
    if r.returncode != 0: raise RuntimeError(f'{what} failed:\n{r.stdout}')


def _api(root: Path, **dirs):
    "nbgrader's Python API on the course folder `root` (for the steps that run no student code: one process, one import)."
    os.environ['PATH'] = _env()['PATH']                 # nbgrader's database check runs `alembic`
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    cfg = Config()
    cfg.Exchange.root = str(Path(root) / 'exchange')    # unused (no hand-in through nbgrader), but it must be writable
    Path(cfg.Exchange.root).mkdir(parents=True, exist_ok=True)
    return NbGraderAPI(coursedir=CourseDirectory(root=str(root), **{k: str(v) for k, v in dirs.items()}), config=cfg)


def _ok(result: dict, what: str):
    if not result.get('success'): raise RuntimeError(f'{what} failed:\n{result.get("error") or result.get("log")}')


def build(out: Path = ROOT / '_course', release: Path = ROOT / 'release', timeout: int = 30) -> list[Path]:
    "Write the nbgrader source notebooks under `out/source` and the student notebooks under `release`; returns the latter."
    out, release = Path(out).resolve(), Path(release).resolve()
    shutil.rmtree(out, ignore_errors=True); shutil.rmtree(release, ignore_errors=True)
    for name in ASSIGNMENTS:
        (out / 'source' / name).mkdir(parents=True)
        nbformat.write(source_notebook(name, timeout), out / 'source' / name / f'{name}.ipynb')
    api = _api(out, release_directory=release)
    for name in ASSIGNMENTS: _ok(api.generate_assignment(name, force=True), f'nbgrader generate_assignment {name}')
    paths = sorted(release.glob('*/*.ipynb'))
    for p in paths:                                   # a released notebook never imports its own solution
        name = p.parent.name
        mods = '|'.join(_module(nb) for nb in ASSIGNMENTS[name]['notebooks'])
        if re.search(rf'(from|import)\s+ddpm_nb\.({mods})\b', p.read_text()):
            raise RuntimeError(f'{p} imports its solution from ddpm_nb')
    return paths


def _zero(name: str) -> dict:
    return {q: 0.0 for q in ASSIGNMENTS[name]['points']}


def _feedback_page(student: str, name: str, note: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(name)}: {html.escape(student)}</title>'
            f'</head><body><h1>{html.escape(name)}: {html.escape(student)}</h1><p>Score: 0 of '
            f'{sum(ASSIGNMENTS[name]["points"].values())}. {html.escape(note)}</p></body></html>\n')


def grade(submissions: Path, out: Path = ROOT / 'graded', course: Path = ROOT / '_course',
          cell_timeout: int = 30, submission_timeout: int = 600) -> Path:
    """Autograde SUBMISSIONS/STUDENT/ASSIGNMENT.ipynb with nbgrader; returns OUT/gradebook.csv. Feedback pages go to
    OUT/feedback/STUDENT/ASSIGNMENT.html; nbgrader's own folders and database to OUT/nbgrader."""
    submissions, out, course = Path(submissions).resolve(), Path(out).resolve(), Path(course).resolve()
    if not submissions.is_dir(): raise SystemExit(f'grade: no folder of submissions at {submissions}')
    if not (course / 'gradebook.db').is_file(): raise SystemExit(f'grade: no built assignments in {course} (no gradebook.db): run `make assignment` first')
    root = out / 'nbgrader'
    shutil.rmtree(out, ignore_errors=True); root.mkdir(parents=True)
    shutil.copytree(course / 'source', root / 'source')
    shutil.copy(course / 'gradebook.db', root / 'gradebook.db')   # the assignments' cells and tests, from `assignment`
    cfg = [f'--CourseDirectory.root={root}']
    work = [(s.name, p.stem if p.stem in ASSIGNMENTS else None, p)
            for s in sorted(d for d in submissions.iterdir() if d.is_dir()) for p in sorted(s.iterdir()) if p.is_file()]
    names = sorted({a for _, a, _ in work if a})
    results = []
    for student, name, path in work:
        if name is None:
            print(f'grade: {student}/{path.name} is not an assignment of this course (expected one of '
                  f'{", ".join(n + ".ipynb" for n in ASSIGNMENTS)}); skipped'); continue
        scores, note = _zero(name), ''
        try: nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as e: note = f'not a notebook ({type(e).__name__}: {" ".join(str(e).split())[:200]})'
        if not note:
            dest = root / 'submitted' / student / name
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest / f'{name}.ipynb')               # a fresh copy: the original is never touched
            r = _run(['autograde', name, f'--student={student}', '--force', f'--Execute.timeout={cell_timeout}', *cfg],
                     root, timeout=submission_timeout)                # its own process, its own kernel
            if r.returncode is None: note = f'grading took longer than {submission_timeout} s and was stopped'
            elif r.returncode != 0: note = 'grading failed: ' + (r.stdout.strip().splitlines() or [''])[-1][:300]
            else: scores = _scores(root, name, student)
        results.append((student, name, scores, note))
        print(f'grade: {student} {name}: {sum(scores.values()):g} of {sum(ASSIGNMENTS[name]["points"].values())}'
              + (f' ({note})' if note else ''))
    api = _api(root)
    for name in names:                         # the feedback pages, from the autograded notebooks (no student code runs)
        if any(n == name and not note for _, n, _, note in results): api.generate_feedback(name, force=True)
    rows = []
    for student, name, scores, note in results:
        fb, src = out / 'feedback' / student / f'{name}.html', root / 'feedback' / student / name / f'{name}.html'
        fb.parent.mkdir(parents=True, exist_ok=True)
        if not note and src.exists(): shutil.copy(src, fb)
        else: fb.write_text(_feedback_page(student, name, note or 'nbgrader wrote no feedback page'))
        total = sum(scores.values())
        rows += [dict(student=student, assignment=name, question=q, points=p, max_points=ASSIGNMENTS[name]['points'][q],
                      total=total, note=note) for q, p in scores.items()]
    csv_path = out / 'gradebook.csv'
    with open(csv_path, 'w', newline='') as f:
        w = csv.DictWriter(f, ['student', 'assignment', 'question', 'points', 'max_points', 'total', 'note'])
        w.writeheader(); w.writerows(rows)
    return csv_path


def _scores(root: Path, name: str, student: str) -> dict:
    "Each question's score for `student` from nbgrader's gradebook (the autograded points of its test cell)."
    from nbgrader.api import Gradebook
    with Gradebook(f'sqlite:///{root / "gradebook.db"}') as gb:
        return {q: float(gb.find_grade(q, name, name, student).score) for q in ASSIGNMENTS[name]['points']}


def main(argv=None):
    ap = argparse.ArgumentParser(prog='course.py', description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('assignment', help='build the nbgrader sources and the student release')
    a.add_argument('--out', default=str(ROOT / '_course')); a.add_argument('--release', default=str(ROOT / 'release'))
    g = sub.add_parser('grade', help='autograde a folder SUBMISSIONS/STUDENT/ASSIGNMENT.ipynb')
    g.add_argument('submissions'); g.add_argument('--out', default=str(ROOT / 'graded'))
    g.add_argument('--course', default=str(ROOT / '_course'))
    g.add_argument('--cell-timeout', type=int, default=30, help='seconds a cell may run (default 30)')
    g.add_argument('--submission-timeout', type=int, default=600, help='seconds one submission may take (default 600)')
    args = ap.parse_args(argv)
    if args.cmd == 'assignment':
        for p in build(Path(args.out), Path(args.release)): print(f'assignment: {os.path.relpath(p)}')
    else:
        for v, n in ((args.cell_timeout, '--cell-timeout'), (args.submission_timeout, '--submission-timeout')):
            if v < 1: ap.error(f'{n} must be a positive number of seconds, got {v}')
        print(f'gradebook: {os.path.relpath(grade(Path(args.submissions), Path(args.out), Path(args.course), args.cell_timeout, args.submission_timeout))}')


if __name__ == '__main__':
    main()
