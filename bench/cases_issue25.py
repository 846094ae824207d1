"""Issue 25's cases ("Nothing lost, round two"), run as a user or a student would, each classified, then counted.

Every case is run in this process: the `ddpm_nb` command through its `main(argv)` (stdout and stderr captured, exit
status kept), the library as a student calls it. Each is bounded (SIGALRM, 90 s): past that it counts as a hang. Its
outcome is one of
  clear error     exit 2 (or a ValueError/TypeError/OSError) with one line of ours, and nothing else on stderr
  result          accepted (the case is valid, or the student's intent is clear: converted), and checked to be right
  traceback       any other exception, or an error of more than one line, or torch's text in ours
  hang            did not end within the bound
  data lost       a file of the user's, or a finished row, is gone or changed
  silently wrong  accepted, but the result is wrong (the check the case names fails)
What needs real processes (Ctrl-C, a killed scheduler, a worker without ddpm_nb, ulimit -f) is in tests/ (pytest):
`--processes` runs tests/test_cluster_waits.py and tests/test_processes.py and counts each of their tests as a case.
`--fuzz` runs tests/test_fuzz.py with FUZZ_REPORT=1 and adds its examples (each a clean exit or a result, or the test
fails). Run: PYTHONPATH=. OMP_NUM_THREADS=1 python bench/cases_issue25.py [--fuzz] [--processes]"""
import argparse, contextlib, io, json, math, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time, warnings
from collections import Counter
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault('MPLBACKEND', 'Agg')
os.environ['DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT'] = os.environ.get('CASES_DASK_TIMEOUT', '3s')
from ddpm_nb.cli import main                                    # noqa: E402
from ddpm_nb.model import DDPM, ConditionalDDPM                  # noqa: E402
from ddpm_nb.schedules import NoiseScheduler                     # noqa: E402
from ddpm_nb.training import train                               # noqa: E402
from ddpm_nb.sampling import sample                              # noqa: E402
from ddpm_nb.runs import save_checkpoint, write_rows, read_rows  # noqa: E402
from ddpm_nb.sweep import CSV_COLUMNS, KEY_COLUMNS             # noqa: E402

BOUND = 90
RESULTS = []                                                     # (cause, case, outcome, detail)


class Hang(Exception): pass


class Wrong(Exception): pass


class Lost(Exception): pass


@contextlib.contextmanager
def bounded(seconds=BOUND):
    def boom(*_): raise Hang(f"more than {seconds} s")
    old = signal.signal(signal.SIGALRM, boom); signal.alarm(seconds)
    try: yield
    finally: signal.alarm(0); signal.signal(signal.SIGALRM, old)


def cli(argv, cwd):
    "(exit status, stdout, stderr) of `ddpm_nb ARGV` run in `cwd`, with torch's warnings shown as a fresh process would."
    o, e = io.StringIO(), io.StringIO()
    here = os.getcwd(); os.chdir(cwd)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            warnings.simplefilter('always')
            try: code = main([str(a) for a in argv])
            except SystemExit as x: code = x.code
    finally: os.chdir(here)
    return code, o.getvalue(), e.getvalue()


def ours(err: str) -> bool:
    "One line of ours on stderr: no traceback, no torch advice."
    return (err.count('\n') == 1 and err.startswith('ddpm_nb') and 'Traceback' not in err and 'weights_only' not in err
            and 'Weights only' not in err)


def case(cause, name):
    "Decorator: run the case now, bounded, and record its outcome. The case returns 'clear error' or 'result', or raises."
    def run(fn):
        t0 = time.time()
        try:
            with bounded(): outcome, detail = fn()
        except Hang as e: outcome, detail = 'hang', str(e)
        except Lost as e: outcome, detail = 'data lost', str(e)
        except Wrong as e: outcome, detail = 'silently wrong', str(e)
        except Exception as e: outcome, detail = 'traceback', f"{type(e).__name__}: {str(e)[:300]}"
        RESULTS.append((cause, name, outcome, detail))
        print(f"[{outcome:>14}] {time.time() - t0:5.1f}s  {cause}: {name}  -- {detail[:160]}", flush=True)
        return fn
    return run


def expect_line(code, err, contains=''):
    "A command's clear error: exit 2, one line of ours (containing `contains`). Anything else: a traceback."
    if code == 2 and ours(err) and contains in err: return 'clear error', err.strip()
    raise RuntimeError(f"exit {code}, stderr {err[-400:]!r}")


def expect_lib_error(fn, contains=''):
    "A library call's clear error: ValueError/TypeError/OSError, one line, containing `contains`."
    try: fn()
    except (ValueError, TypeError, OSError) as e:
        msg = str(e)
        if '\n' not in msg.strip() and contains in msg and 'weights_only' not in msg: return 'clear error', msg
        raise RuntimeError(f"not one line of ours: {msg[:300]!r}")
    raise Wrong("accepted")


def run_cases(d: Path):
    trained = d / 'trained'; trained.mkdir()
    code, _, err = cli(['train', '--out', trained, '--quiet', '--n_steps', '5', '--epochs', '1', '--conditional'], trained)
    assert code == 0, err
    run = trained / 'exps' / 'ddpm_2_5_0.001_0.02_moons_cond'
    small = torch.randn(200, 2)

    # 1. files the tool did not write
    @case('files', 'train --run DIR --force, DIR a folder of the user holding thesis.tex')
    def _():
        u = d / 'thesis'; u.mkdir(); (u / 'thesis.tex').write_text('mine')
        code, _, err = cli(['train', '--run', u, '--force', '--quiet', '--n_steps', '5', '--epochs', '1'], d)
        if (u / 'thesis.tex').read_text() != 'mine': raise Lost('thesis.tex')
        return expect_line(code, err, 'thesis.tex')

    @case('files', 'demo --out DIR, its run folder holding the user\'s notes.txt')
    def _():
        out = d / 'demo'
        code, _, err = cli(['train', '--out', out, '--quiet', '--n_steps', '5', '--epochs', '1'], d)       # a run where demo writes
        runs = [p for p in (out / 'exps').iterdir()]
        (runs[0] / 'notes.txt').write_text('mine')
        code, _, err = cli(['train', '--out', out, '--quiet', '--n_steps', '5', '--epochs', '1', '--force'], d)
        if (runs[0] / 'notes.txt').read_text() != 'mine': raise Lost('notes.txt')
        return expect_line(code, err, 'notes.txt')

    @case('files', 'a stale .NAME.old-* beside a deleted run never comes back as the run')
    def _():
        r = d / 'stale' / 'run'; save_checkpoint(DDPM(2, 5), r, NoiseScheduler(5))
        old = r.parent / '.run.old-deadbeef'; shutil.copytree(r, old); shutil.rmtree(r)
        code, _, err = cli(['train', '--run', r, '--quiet', '--n_steps', '10', '--epochs', '1'], d)
        if code != 0: raise RuntimeError(err)
        cfg = json.loads((r / 'config.json').read_text())
        if cfg['model']['n_steps'] != 10: raise Wrong(f"the stale run came back: n_steps {cfg['model']['n_steps']}")
        return 'result', 'the new run, not the stale one'

    @case('files', 'config.json without its "files" list is refused')
    def _():
        r = d / 'nofiles'; shutil.copytree(run, r)
        cfg = json.loads((r / 'config.json').read_text()); cfg.pop('files'); (r / 'config.json').write_text(json.dumps(cfg))
        return expect_line(*[cli(['sample', '--run', r, '--quiet', '--n_samples', '3'], d)[i] for i in (0, 2)])

    # 2. waits that end
    http_srv, silent = _servers()
    for form in ('http://127.0.0.1:{http}', '127.0.0.1:{http}', 'tcp://127.0.0.1:{silent}', '127.0.0.1:{silent}'):
        address = form.format(http=http_srv.server_address[1], silent=silent.getsockname()[1])
        case('waits', f'sweep --cluster {form.split(":{")[0]}:{{{form.split("{")[1]}')(
            lambda a=address: expect_line(*_sweep_cluster(d, a), 'Dask'))

    @case('waits', 'sweep --cluster: a scheduler with no workers')
    def _():
        from distributed import LocalCluster
        with LocalCluster(n_workers=0, processes=False, dashboard_address='127.0.0.1:0') as bare:
            return expect_line(*_sweep_cluster(d, bare.scheduler_address), 'has no workers')

    for where in ('/dev/stdout', 'fifo'):
        for dry in ([], ['--dry-run']):
            @case('waits', f"sweep --out {where} {' '.join(dry)}")
            def _(where=where, dry=dry):
                target = where
                if where == 'fifo':
                    target = d / f'fifo{len(dry)}'; os.mkfifo(target)
                code, _, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear', '--out', target, *dry], d)
                return expect_line(code, err, 'results file')

    @case('waits', 'sweep --workers 99999999999999999999')
    def _():
        code, _, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear', '--out', d / 'w.csv',
                            '--workers', '99999999999999999999'], d)
        return expect_line(code, err, '--workers')

    @case('waits', 'run_sweep(workers=99999999999999999999) in the library')
    def _():
        from ddpm_nb.sweep import run_sweep
        r = [dict(dataset='moons', T=10, schedule='linear', beta_low=0.001, beta_high=0.02, seed=0)]
        return expect_lib_error(lambda: run_sweep(r, workers=99999999999999999999, out_csv=d / 'w.csv', progress=False), 'workers')

    # 3. silently wrong
    row0 = _finished_row()

    @case('silently wrong', 'CSV: a row with T=05 counts as the run T=5 (no duplicate)')
    def _():
        csv = d / 'keys.csv'; write_rows(csv, [dict(row0, T='05')], CSV_COLUMNS, key=KEY_COLUMNS)
        code, out, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '5', '--schedulers', 'linear', '--epochs', '1',
                              '--out', csv, '--dry-run'], d)
        if code != 0: raise RuntimeError(err)
        if 'holds 1 of them' not in out: raise Wrong(out.splitlines()[0])
        return 'result', out.splitlines()[0]

    @case('silently wrong', 'CSV: a run with a NaN EMD is not done')
    def _():
        csv = d / 'nan.csv'; write_rows(csv, [dict(row0, emd='nan')], CSV_COLUMNS, key=KEY_COLUMNS)
        code, out, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '5', '--schedulers', 'linear', '--epochs', '1',
                              '--out', csv, '--dry-run'], d)
        if code != 0: raise RuntimeError(err)
        if 'holds 0 of them' not in out: raise Wrong(out.splitlines()[0])
        return 'result', out.splitlines()[0]

    @case('silently wrong', 'CSV: a symlinked results file is written through its link')
    def _():
        target = d / 'target.csv'; link = d / 'link.csv'
        write_rows(target, [row0], CSV_COLUMNS, key=KEY_COLUMNS); os.symlink(target, link)
        write_rows(link, [dict(row0, seed='1')], CSV_COLUMNS, key=KEY_COLUMNS)
        if not link.is_symlink() or len(read_rows(target, CSV_COLUMNS)) != 2: raise Wrong('the link was replaced or the target not written')
        return 'result', 'written through the link'

    @case('silently wrong', 'train with an optimiser built on another model')
    def _():
        m, other = DDPM(2, 5), DDPM(2, 5)
        return expect_lib_error(lambda: train(m, NoiseScheduler(5), [small], torch.optim.Adam(other.parameters()), 1, None,
                                              progress=False), 'optimizer does not hold')

    from ddpm_nb.classifier import ClassifierDDPM
    cm = ConditionalDDPM(2, 5, n_classes=2)
    for what, x in (('NaN points', torch.tensor([[math.nan, 0.]])), ('inf points', torch.tensor([[math.inf, 0.]]))):
        case('silently wrong', f'ClassifierDDPM.predict_proba on {what}')(
            lambda x=x: expect_lib_error(lambda: ClassifierDDPM(cm, NoiseScheduler(5), n_t=2).predict_proba(x)))
    case('silently wrong', 'ClassifierDDPM with float labels (0.5)')(
        lambda: expect_lib_error(lambda: ClassifierDDPM(cm, NoiseScheduler(5), n_t=2, class_prior=torch.tensor([0.5, 0.5]))
                                 .calibrate(small[:4], torch.tensor([0.5, 0., 1., 1.]))))

    @case('silently wrong', 'DDPM(t_dim=sin_dim=30000): refused before allocating')
    def _():
        t0 = time.time()
        out = expect_lib_error(lambda: DDPM(t_dim=30000, sin_dim=30000, hidden_dim=1), 'too large')
        if time.time() - t0 > 1: raise Wrong(f"took {time.time() - t0:.1f} s")
        return out

    # 4. tracebacks
    for flag, value in (('--lr', '1e39'), ('--clip', '1e308')):
        cmd = ['train', '--epochs', '1', '--run', d / 'f32', '--force'] if flag == '--lr' else ['sample', '--n_samples', '3']
        case('tracebacks', f'{flag} {value} through the CLI')(lambda cmd=cmd, flag=flag, value=value: expect_line(
            *[cli([*cmd, '--out', trained, '--quiet', '--n_steps', '5', '--conditional', f'{flag}={value}'], trained)[i] for i in (0, 2)], flag))

    @case('tracebacks', '--lr 1e39 in the library (train with Adam(lr=1e39))')
    def _():
        m = DDPM(2, 5)
        return expect_lib_error(lambda: train(m, NoiseScheduler(5), [small], torch.optim.Adam(m.parameters(), lr=1e39), 1, None,
                                              progress=False))

    for kind in ('meta', 'nested', 'csr', 'quantized', 'float128'):
        for flag in ('--prior-samples', '--samples', '--input'):
            case('tracebacks', f'a {kind} tensor as {flag}')(lambda kind=kind, flag=flag: _odd_tensor(trained, kind, flag))

    @case('tracebacks', 'config.json asking for a 60 000-wide embedding')
    def _():
        r = d / 'wide'; shutil.copytree(run, r)
        (r / 'config.json').write_text((r / 'config.json').read_text().replace('"sin_dim": 16', '"sin_dim": 60000').replace('"t_dim": 4', '"t_dim": 60000'))
        return expect_line(*[cli(['sample', '--run', r, '--quiet', '--n_samples', '3'], d)[i] for i in (0, 2)])

    @case('tracebacks', 'config.json nested 100 000 deep')
    def _():
        r = d / 'deep'; shutil.copytree(run, r)
        (r / 'config.json').write_text('{"x": ' + '[' * 100_000 + ']' * 100_000 + '}')
        return expect_line(*[cli(['sample', '--run', r, '--quiet', '--n_samples', '3'], d)[i] for i in (0, 2)])

    @case('tracebacks', 'a CSV with a 200 000-character field')
    def _():
        csv = d / 'huge.csv'; csv.write_text(','.join(CSV_COLUMNS) + '\n' + 'x' * 200_000 + '\n')
        code, _, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear', '--out', csv, '--dry-run'], d)
        if csv.read_text()[:5] != ','.join(CSV_COLUMNS)[:5]: raise Lost('the CSV changed')
        return expect_line(code, err)

    @case('tracebacks', 'ode_nll with an untrained network for T = 1..5')
    def _():
        from ddpm_nb.likelihood import ode_nll
        vals = [ode_nll(DDPM(2, T), NoiseScheduler(T), small[:50])['nll'] for T in range(1, 6)]
        if not all(math.isfinite(v) for v in vals): raise Wrong(f"non-finite ODE NLL {vals}")
        return 'result', f"finite: {', '.join(f'{v:.3g}' for v in vals)}"

    @case('tracebacks', 'sweep --n_steps 1 (a valid T): the sweep completes')
    def _():
        code, out, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '1', '--schedulers', 'linear', '--epochs', '1',
                              '--eval-n', '100', '--k-subsets', '2', '--c2st-n', '0', '--workers', '0', '--quiet', '--out', d / 't1.csv'], d)
        if code != 0: raise RuntimeError(err[-300:])
        rows = read_rows(d / 't1.csv', CSV_COLUMNS)
        if len(rows) != 1 or not math.isfinite(float(rows[0]['ode_nll'])): raise Wrong(f"rows {rows}")
        return 'result', f"one row, ODE NLL {rows[0]['ode_nll']}"

    for n in (246, 250, 255):
        @case('tracebacks', f'a {n}-character --run name: refused before training')
        def _(n=n):
            t0 = time.time()
            code, _, err = cli(['train', '--run', d / ('r' * n), '--quiet', '--n_steps', '5', '--epochs', '200'], d)
            out = expect_line(code, err)
            if time.time() - t0 > 10: raise Wrong(f"refused only after {time.time() - t0:.0f} s (after training?)")
            return out

    @case('tracebacks', 'sweep with a missing --albatross-path: found before a cluster starts')
    def _():
        return expect_line(*[cli(['sweep', '--datasets', 'albatross', '--n_steps', '10', '--schedulers', 'linear',
                                  '--albatross-path', d / 'nope.npy', '--out', d / 'a.csv', '--workers', '2'], d)[i] for i in (0, 2)], 'albatross file')

    @case('tracebacks', 'train on float64 data (a TensorDataset from numpy)')
    def _():
        from torch.utils.data import DataLoader, TensorDataset
        runs = []
        for data in (torch.from_numpy(small.double().numpy()), small):
            torch.manual_seed(0); m = DDPM(2, 5)
            runs.append(train(m, NoiseScheduler(5), DataLoader(TensorDataset(data), batch_size=50), torch.optim.Adam(m.parameters()),
                              2, None, seed=0, progress=False))
        if runs[0] != runs[1]: raise Wrong(f"float64 losses {runs[0]} != float32 losses {runs[1]}")
        return 'result', 'the same losses as float32 data'

    m = DDPM(2, 5)
    for what, x in (('a numpy array', small[:4].double().numpy()), ('a list', small[:4].tolist())):
        @case('tracebacks', f'model(x, t) with x {what}')
        def _(x=x):
            with torch.no_grad(): got, want = m(x, 1), m(small[:4], 1)
            if not torch.allclose(got, want): raise Wrong('a different prediction')
            return 'result', 'converted: the same prediction'

    @case('tracebacks', 'sample(model.double())')
    def _():
        x = sample(DDPM(2, 5).double(), 5, NoiseScheduler(5), seed=0)
        if not torch.isfinite(x).all(): raise Wrong('non-finite samples')
        return 'result', f"samples of dtype {x.dtype}"

    case('tracebacks', 'sample(model.half())')(lambda: expect_lib_error(lambda: sample(DDPM(2, 5).half(), 5, NoiseScheduler(5)),
                                                                          'model.float()'))
    case('tracebacks', 'save_checkpoint(nn.Linear)')(lambda: expect_lib_error(lambda: save_checkpoint(torch.nn.Linear(2, 2), d / 'lin'),
                                                                             'Linear'))

    # 5. errors of more than one line
    for kind in ('csr', 'quantized'):
        case('one line', f'torch warnings reading a {kind} .pt as --samples')(lambda kind=kind: _odd_tensor(trained, kind, '--samples'))

    @case('one line', 'a .pt holding a pickle as --prior-samples: our line, no weights_only advice')
    def _():
        f = trained / 'pickle.pt'; torch.save({'points': object}, f)
        return expect_line(*[cli(['sample', '--out', trained, '--quiet', '--n_steps', '5', '--conditional', '--n_samples', '3',
                                  '--prior-samples', f], trained)[i] for i in (0, 2)])

    http_srv.shutdown(); silent.close()


def _servers():
    import http.server
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    web = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    silent = socket.socket(); silent.bind(('127.0.0.1', 0)); silent.listen(64)
    return web, silent


def _sweep_cluster(d, address):
    code, _, err = cli(['sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear', '--epochs', '1',
                        '--out', d / 'cluster.csv', '--cluster', address], d)
    if (d / 'cluster.csv').exists(): raise Wrong('a results file was written')
    return code, err


def _finished_row() -> dict:
    "A finished row (every score finite) of the run moons T=5 linear, epochs 1, as the sweep writes it."
    from ddpm_nb.sweep import with_settings
    r = with_settings([dict(dataset='moons', T=5, schedule='linear', beta_low=0.001, beta_high=0.02, seed=0)], epochs=1)[0]
    return {c: str(r[c]) if c in r else '1.0' for c in CSV_COLUMNS}


def _odd_tensor(trained, kind, flag):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        D = torch.randn(3, 2)
        x = {'meta': torch.empty(3, 2, device='meta'), 'nested': torch.nested.nested_tensor([D, D[:1]]), 'csr': D.to_sparse_csr(),
             'quantized': torch.quantize_per_tensor(D, 0.1, 0, torch.qint8), 'float128': np.zeros((3, 2), np.longdouble)}[kind]
    f = trained / f"odd_{kind}{'.npy' if kind == 'float128' else '.pt'}"
    np.save(f, x) if kind == 'float128' else torch.save(x, f)
    cmd = {'--prior-samples': ['sample', '--n_samples', '3', '--conditional'], '--samples': ['evaluate', '--conditional'],
           '--input': ['classify', '--n-t', '2']}[flag]
    code, _, err = cli([*cmd, '--out', trained, '--quiet', '--n_steps', '5', flag, f], trained)
    return expect_line(code, err)


def run_pytest(files, env_extra=None) -> list[tuple]:
    "Each test of `files` as a case (its pass/fail from pytest's junit report)."
    import xml.etree.ElementTree as ET
    with tempfile.TemporaryDirectory() as t:
        xml = Path(t) / 'r.xml'
        env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
        p = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-s', f'--junitxml={xml}', *files], cwd=ROOT, env=env,
                           capture_output=True, text=True)
        out = []
        for tc in ET.parse(xml).getroot().iter('testcase'):
            failed = tc.find('failure') is not None or tc.find('error') is not None
            out.append((tc.get('classname').split('.')[-1], tc.get('name'), 'traceback' if failed else 'clear error or result',
                        f"{float(tc.get('time')):.0f} s"))
        return out, p.stdout


def main_():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--fuzz', action='store_true', help="add tests/test_fuzz.py's examples")
    ap.add_argument('--processes', action='store_true', help='add tests/test_cluster_waits.py and tests/test_processes.py')
    a = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d: run_cases(Path(d))
    counts = Counter(o for _, _, o, _ in RESULTS)
    print(f"\nissue 25's cases (in process): {len(RESULTS)} tried in {time.time() - t0:.0f} s: " +
          ', '.join(f"{k} {counts.get(k, 0)}" for k in ('clear error', 'result', 'traceback', 'hang', 'data lost', 'silently wrong')))
    if a.processes:
        rows, _ = run_pytest(['tests/test_cluster_waits.py', 'tests/test_processes.py'])
        c = Counter(o for *_, o, _ in rows)
        for r in rows: print(f"[{r[2]:>22}] {r[3]:>5}  {r[0]}::{r[1]}")
        print(f"process cases (pytest): {len(rows)} tried: passed (clear error or result, checked) {c.get('clear error or result', 0)}, "
              f"failed {c.get('traceback', 0)}")
    if a.fuzz:
        rows, out = run_pytest(['tests/test_fuzz.py'], dict(FUZZ_REPORT='1'))
        tallies = re.findall(r"fuzz outcomes: (\{.*\})", out)
        examples = Counter()
        for t in tallies:
            for k, v in eval(t).items(): examples['clear error' if 'exit 2' in k or 'clean error' in k else 'result'] += v
        failed = sum(o == 'traceback' for *_, o, _ in rows)
        print(f"fuzz: {sum(examples.values())} examples in {len(rows)} tests: clear error {examples['clear error']}, "
              f"result {examples['result']}; tests failed {failed} (a failure is a traceback, hang, loss or wrong result)")
    bad = counts.get('traceback', 0) + counts.get('hang', 0) + counts.get('data lost', 0) + counts.get('silently wrong', 0)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main_()
