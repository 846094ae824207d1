"""Property-based fuzzing (hypothesis) of the public constructors and the `ddpm_nb` command's flags. Whatever goes in,
what comes out is a correct result or a clean `ValueError`/`TypeError` with a message — never another exception, a
hang or a non-finite number. The whole file runs in well under a minute (`make test`)."""
import contextlib, io, json, math, os, signal
from pathlib import Path
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ddpm_nb.schedules import NoiseScheduler, SCHEDULES
from ddpm_nb.model import DDPM, ConditionalDDPM
from ddpm_nb.data import load_dataset, DATASETS
from ddpm_nb.sampling import sample, ddim_sample
from ddpm_nb.cli import main

TALLY = {}                                           # outcome counts, printed with FUZZ_REPORT=1 (for the note)

def tally(kind: str) -> None: TALLY[kind] = TALLY.get(kind, 0) + 1

@pytest.fixture(scope='module', autouse=True)
def report():
    yield
    if os.environ.get('FUZZ_REPORT'): print('\nfuzz outcomes:', dict(sorted(TALLY.items())))

# derandomize: the same examples every run. A random draw of a valid but huge sample count (n = 4 919 056 took 48 s
# here, 20 steps of a tiny network) passed for a hang now and then: a test that fails by chance hides what it tests
FAST = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 150)), deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
CLEAN = (ValueError, TypeError)

# anything a user might type or pass: numbers of every kind (huge, negative, nan, inf), strings, None, bools, lists
anything = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.integers(-3, 300),
                     st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 1), st.text(max_size=6),
                     st.lists(st.integers(-2, 5), max_size=3))


@contextlib.contextmanager
def no_hang(seconds: int = 20):
    "Fail (instead of hanging) when the block runs longer than `seconds`."
    def boom(*_): raise TimeoutError(f"hung for more than {seconds} s")
    old = signal.signal(signal.SIGALRM, boom); signal.alarm(seconds)
    try: yield
    finally: signal.alarm(0); signal.signal(signal.SIGALRM, old)


def clean_or(fn):
    "Call `fn`: its result, or None after a clean ValueError/TypeError whose message is one informative line."
    with no_hang():
        try: out = fn()
        except CLEAN as e:
            msg = str(e)
            assert msg and len(msg) > 10 and '\n' not in msg.strip(), f"{type(e).__name__} without a clear one-line message: {msg!r}"
            tally('library: clean error'); return None
    tally('library: result'); return out


def finite(t: torch.Tensor) -> bool: return bool(torch.isfinite(t).all())


def mostly(valid):
    "Usually a valid value (so that results get checked too), sometimes anything at all."
    return st.integers(0, 5).flatmap(lambda k: anything if k == 0 else valid)      # one_of would weigh each of anything's kinds alike


@FAST
@given(T=mostly(st.integers(1, 300)), type_=mostly(st.sampled_from(list(SCHEDULES) + ['custom', 'quadratic'])),
       lo=mostly(st.floats(1e-6, 0.6)), hi=mostly(st.floats(1e-6, 0.6)), with_range=st.booleans())
def test_noise_scheduler(T, type_, lo, hi, with_range):
    kw = dict(beta_start=lo, beta_end=hi) if with_range and type_ in ('linear', 'sigmoid') else {}
    ns = clean_or(lambda: NoiseScheduler(num_timesteps=T, type=type_, **kw))
    if ns is None: return
    assert len(ns) >= 1 and finite(ns.betas) and finite(ns.alpha_bar) and finite(ns.posterior_variance)
    assert ((ns.betas > 0) & (ns.betas < 1)).all()
    x0, eps = torch.randn(4, 2), torch.randn(4, 2)
    assert finite(ns.add_noise(x0, len(ns) - 1, eps)) and finite(ns.step(eps, len(ns) - 1, x0))


@FAST
@given(t=mostly(st.one_of(st.integers(-2, 12), st.lists(st.integers(-1, 10), min_size=3, max_size=3))))
def test_timesteps(t):
    ns, m = NoiseScheduler(10), DDPM(n_dim=2, n_steps=10)
    x = torch.randn(3, 2)
    for f in (lambda: ns.add_noise(x, t, x), lambda: ns.step(x, t, x), lambda: m(x, t)):
        out = clean_or(f)
        if out is not None:
            assert finite(out)
            ti = torch.as_tensor(t)
            assert not ti.is_floating_point() and bool(((ti >= 0) & (ti < 10)).all())   # only what [0, T) allows got through


@FAST
@given(n_dim=mostly(st.integers(1, 70)), n_steps=mostly(st.integers(1, 1000)), t_dim=mostly(st.integers(1, 64)),
       hidden=st.one_of(st.none(), mostly(st.integers(1, 256))), n_classes=st.one_of(st.none(), mostly(st.integers(1, 12))))
def test_models(n_dim, n_steps, t_dim, hidden, n_classes):
    def build():
        if n_classes is None: return DDPM(n_dim=n_dim, n_steps=n_steps, t_dim=t_dim, hidden_dim=hidden)
        return ConditionalDDPM(n_dim=n_dim, n_steps=n_steps, n_classes=n_classes, t_dim=t_dim, hidden_dim=hidden)
    m = clean_or(build)
    if m is None: return
    if m.n_dim * max(m.hidden_dim, 1) > 10 ** 7 or m.n_classes if n_classes is not None else False: return
    if m.n_dim > 10 ** 4 or m.hidden_dim > 10 ** 4: return
    out = m(torch.randn(2, m.n_dim), m.n_steps - 1)
    assert out.shape == (2, m.n_dim) and finite(out)


@FAST
@given(name=mostly(st.sampled_from([d for d in DATASETS if d != 'albatross'])),
       n=st.one_of(st.none(), mostly(st.integers(-5, 3000))), seed=mostly(st.integers(0, 2 ** 32 - 1)))
def test_load_dataset(name, n, seed):
    out = clean_or(lambda: load_dataset(name, n_samples=n, seed=seed))
    if out is None: return
    X, y = out
    assert len(X) >= 1 and finite(X) and X.abs().max() <= 1 + 1e-6
    assert y is None or len(y) == len(X)


MODEL = DDPM(n_dim=2, n_steps=20)
NS = NoiseScheduler(20)


@FAST
@given(n=mostly(st.integers(-3, 300)), seed=st.one_of(st.none(), mostly(st.integers(0, 2 ** 32 - 1))),
       sampler=mostly(st.sampled_from(['ddpm', 'ddim'])), steps=st.one_of(st.none(), mostly(st.integers(-2, 25))),
       eta=mostly(st.floats(0, 1)), prior=st.one_of(st.none(), st.none(), st.floats(-5, 5), st.floats(allow_nan=True, allow_infinity=True)))
def test_sample(n, seed, sampler, steps, eta, prior):
    def draw():
        x_T = None if prior is None or not isinstance(n, int) or not 0 < n <= 300 else torch.full((n, 2), prior, dtype=torch.float64)
        kw = dict(sampler=sampler, eta=eta) if steps is None else dict(sampler=sampler, n_inference_steps=steps, eta=eta)
        return sample(MODEL, n, NS, x_T=x_T, seed=seed, **kw)
    out = clean_or(draw)
    if out is not None: assert out.shape == (n, 2) and finite(out)


FLAG_VALUES = st.one_of(st.sampled_from(['0', '1', '-1', '2', '10', '0.5', '1e30', 'nan', 'inf', '-inf', '', 'x', 'cuda', 'foo',
                                         '99999999999999999999999', '0.001', '0.02', 'moons', 'linear', 'cosine']),
                        st.text(max_size=4))
VALID = {'--n_steps': ['2', '5', '10'], '--lbeta': ['0.0001', '0.001', '0.01'], '--ubeta': ['0.02', '0.05', '0.2'],
         '--batch_size': ['64', '128', '1000'], '--lr': ['0.001', '0.01', '1e-4'], '--seed': ['0', '1', '4294967295'],
         '--n_dim': ['2', '3'], '--device': ['cpu'], '--threads': ['0', '1'], '--test-frac': ['0.2', '0.5', '0.9'],
         '--dataset': ['moons', 'circles', 'blobs', 'helix', 'manycircles'], '--scheduler': ['linear', 'cosine', 'sigmoid'],
         '--model': ['report', 'large'], '--p-uncond': ['0', '0.1', '1'], '--run': ['run_a', 'sub/run_b']}
FLAGS = list(VALID)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 100)), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(['train', 'sample', 'evaluate']),
       flags=st.lists(st.sampled_from(FLAGS).flatmap(lambda f: st.tuples(st.just(f), st.integers(0, 3).flatmap(lambda k: FLAG_VALUES if k == 0 else st.sampled_from(VALID[f])))), max_size=3),
       lr_drop=st.one_of(st.none(), st.tuples(FLAG_VALUES, FLAG_VALUES)))
def test_cli_flags(tmp_path_factory, command, flags, lr_drop):
    "Any mix of the command's flags: exit 0, or exit 2 with one line on stderr; never a traceback."
    small_batch = [v for f, v in flags if f == '--batch_size' and v.strip().isdigit() and int(v) < 32]
    assume(not small_batch)                          # valid but slow (thousands of steps for one epoch): not what this tests
    out = tmp_path_factory.mktemp('fuzz')
    argv = [command, '--out', str(out), '--quiet', '--n_steps', '5'] + (['--epochs', '1'] if command == 'train' else [])
    for f, v in flags: argv += [f, v]
    if lr_drop is not None and command == 'train': argv += ['--lr-drop', *lr_drop]
    o, e = io.StringIO(), io.StringIO()
    here = os.getcwd(); os.chdir(out)                # a relative --run or --out lands in the temporary folder
    try:
        with no_hang(60), contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            try: code = main(argv)
            except SystemExit as x: code = x.code      # argparse's own exit for --help-like input
    finally: os.chdir(here)
    err = e.getvalue()
    assert 'Traceback' not in err, err
    assert code in (0, 2), (code, argv, err)
    if code == 2: assert err.count('\n') == 1 and err.startswith('ddpm_nb'), (argv, err)
    tally(f'cli {command}: exit {code}')


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    "A tiny conditional run (T = 5, one epoch) to sample from."
    out = tmp_path_factory.mktemp('fuzzrun')
    assert main(['train', '--out', str(out), '--quiet', '--n_steps', '5', '--epochs', '1', '--conditional']) == 0
    return out


SAMPLE_FLAGS = ['--n_samples', '--sampler', '--ddim-steps', '--class-label', '--guidance-scale', '--seed', '--prior-samples', '--clip']
SAMPLE_VALID = {'--n_samples': ['3', '10', '100'], '--sampler': ['ddpm', 'ddim'], '--ddim-steps': ['1', '3', '5'],
                '--class-label': ['0', '1'], '--guidance-scale': ['0', '1', '4.5'], '--seed': ['0', '7'], '--prior-samples': ['prior.npy'],
                '--clip': ['1', 'off', '0.5', 'OFF']}
SAMPLE_VALUES = st.one_of(FLAG_VALUES, st.sampled_from(['6', '1e3', '-2', '2.5', 'nan.npy', '1e30']))


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(flags=st.lists(st.sampled_from(SAMPLE_FLAGS).flatmap(lambda f: st.tuples(st.just(f), st.integers(0, 3).flatmap(lambda k: SAMPLE_VALUES if k == 0 else st.sampled_from(SAMPLE_VALID[f])))), max_size=4))
def test_cli_sample_flags(trained, flags):
    "Sampling a real run with any mix of sampling flags: exit 0 with finite samples on disk, or exit 2 with one line."
    import numpy as np
    np.save(trained / 'prior.npy', np.zeros((3, 2))); np.save(trained / 'nan.npy', np.full((3, 2), np.nan))
    argv = ['sample', '--out', str(trained), '--quiet', '--n_steps', '5', '--conditional']
    for f, v in flags: argv += [f, str(trained / v) if v.endswith('.npy') else v]
    o, e = io.StringIO(), io.StringIO()
    here = os.getcwd(); os.chdir(trained)
    try:
        with no_hang(60), contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            try: code = main(argv)
            except SystemExit as x: code = x.code
    finally: os.chdir(here)
    err = e.getvalue()
    assert 'Traceback' not in err and code in (0, 2), (code, argv, err)
    tally(f'cli sample (trained run): exit {code}')
    if code == 2: assert err.count('\n') == 1, (argv, err)
    else:
        written = o.getvalue().split(': ')[-1].split(', ')[0].strip()
        assert finite(torch.load(written, weights_only=True)), argv


# issue 25's families: tensor layouts and dtypes, float32 limits, JSON depth and size, FIFOs, devices and symlinks

def run_main(argv, cwd):
    "`main(argv)` in `cwd`, bounded: (exit status, stderr); exit 0, or 2 with one line and no traceback."
    o, e = io.StringIO(), io.StringIO()
    here = os.getcwd(); os.chdir(cwd)
    try:
        with no_hang(60), contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            try: code = main([str(a) for a in argv])
            except SystemExit as x: code = x.code
    finally: os.chdir(here)
    err = e.getvalue()
    assert 'Traceback' not in err and code in (0, 2), (code, argv, err)
    if code == 2: assert err.count('\n') == 1 and err.startswith('ddpm_nb'), (argv, err)
    return code, err


def _tensor(kind: str, rows: int):
    import numpy as np, warnings
    D = torch.randn(rows, 2)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return {'dense': D, 'meta': torch.empty(rows, 2, device='meta'), 'csr': D.to_sparse_csr(), 'coo': D.to_sparse(),
                'csc': D.to_sparse_csc(), 'quantized': torch.quantize_per_tensor(D, 0.1, 0, torch.qint8),
                'complex': D.to(torch.cfloat), 'bfloat16': D.bfloat16(), 'half': D.half(), 'int': D.long(), 'bool': D > 0,
                'nested': torch.nested.nested_tensor([D, D[:1]]), 'strided-view': torch.randn(rows, 4)[:, ::2],
                'nan': torch.full((rows, 2), math.nan), 'big': torch.full((rows, 2), 1e300, dtype=torch.float64),
                'pickle': {'points': object}, 'list': D.tolist(), 'float128': np.zeros((rows, 2), np.longdouble),
                'object': np.array([[1, None]] * rows, dtype=object), 'complex-npy': np.ones((rows, 2), np.complex128),
                'structured': np.zeros(rows, dtype=[('a', 'f4'), ('b', 'f4')]), 'empty': D[:0], '3d': D[None]}[kind]

TENSOR_KINDS = ['dense', 'meta', 'csr', 'coo', 'csc', 'quantized', 'complex', 'bfloat16', 'half', 'int', 'bool', 'nested',
                'strided-view', 'nan', 'big', 'pickle', 'list', 'float128', 'object', 'complex-npy', 'structured', 'empty', '3d']


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(TENSOR_KINDS), ext=st.sampled_from(['.pt', '.npy']),
       flag=st.sampled_from(['--prior-samples', '--samples', '--input']))
def test_tensor_layouts_and_dtypes(trained, kind, ext, flag):
    "Any layout or dtype as --prior-samples, --samples or --input: exit 0, or our one line (no warning of torch's before it)."
    import numpy as np, warnings
    x, f = _tensor(kind, 3), trained / f"odd_{kind}{ext}"
    if ext == '.npy':
        if isinstance(x, dict): return                                 # np.save would pickle it: covered by the .pt
        if isinstance(x, torch.Tensor):
            try: x = x.numpy()
            except (TypeError, RuntimeError): return                   # no numpy form (meta, sparse, bfloat16...)
        np.save(f, np.asarray(x, dtype=object if kind == 'object' else None), allow_pickle=kind == 'object')
    else:
        if not isinstance(x, (torch.Tensor, dict, list)): return
        torch.save(x, f)
    cmd = {'--prior-samples': ['sample', '--n_samples', '3'], '--samples': ['evaluate'], '--input': ['classify', '--n-t', '2']}[flag]
    with warnings.catch_warnings():
        warnings.simplefilter('always')                                # a first read in a fresh process shows torch's warnings
        cond = [] if flag == '--input' else ['--conditional']       # classify takes conditional runs only: no flag
        code, err = run_main([*cmd, '--out', trained, '--quiet', '--n_steps', '5', *cond, flag, f], trained)
    assert 'weights_only' not in err and 'Weights only' not in err, err
    tally(f'tensor {kind}{ext} as {flag}: exit {code}')
    if kind not in ('dense', 'bfloat16', 'half', 'int', 'strided-view', 'list'): assert code == 2, (kind, ext, flag)


F32_VALUES = st.sampled_from(['3.4028234e38', '3.4028236e38', '3.5e38', '1e39', '-1e39', '1e308', '1.8e308', '-3.4e38', '1e-45'])


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(flag=st.sampled_from(['--lr', '--clip', '--guidance-scale', '--temperature']), value=F32_VALUES)
def test_float32_limits(trained, flag, value):
    "Numbers at and beyond float32's range in every float flag: exit 0, or one line; a value beyond the range never runs."
    cmd = {'--lr': ['train', '--epochs', '1', '--run', 'f32run', '--force'], '--clip': ['sample', '--n_samples', '3'],
           '--guidance-scale': ['sample', '--n_samples', '3', '--class-label', '0'], '--temperature': ['sweep', '--dry-run']}[flag]
    run = [] if cmd[0] == 'sweep' else ['--out', trained, '--quiet', '--n_steps', '5', '--conditional']
    code, err = run_main([*cmd, *run, f'{flag}={value}'], trained)
    tally(f'float32 {flag}: exit {code}')
    if abs(float(value)) > 3.4028235e38: assert code == 2 and f"argument {flag}" in err, (flag, value, err)   # refused as typed


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(depth=st.integers(0, 50_000), pad=st.sampled_from([0, 0, 17 << 20]), field=st.sampled_from(['t_dim', 'sin_dim', 'n_dim']),
       value=st.sampled_from(['4', '1e39', '-1e39', '1e400', 'NaN', 'Infinity', '"x"', '9' * 5000, '[]', '{}']))
def test_json_depth_and_size(trained, tmp_path_factory, depth, pad, field, value):
    "A run's config.json nested deep, padded past the size bound, or with odd numbers: exit 0, or one line; nothing parsed unbounded."
    import shutil
    d = tmp_path_factory.mktemp('json'); run = d / 'run'
    shutil.copytree(trained / 'exps' / 'ddpm_2_5_0.001_0.02_moons_cond', run)
    cfg = json.loads((run / 'config.json').read_text())
    text = json.dumps(cfg).replace(f'"{field}": {cfg["model"][field]}', f'"{field}": {value}')
    if depth: text = '{"wrap": ' + '[' * depth + text + ']' * depth + '}'
    (run / 'config.json').write_text(' ' * pad + text)
    code, err = run_main(['sample', '--run', run, '--quiet', '--n_steps', '5', '--conditional', '--n_samples', '3'], d)
    tally(f'config.json depth {"deep" if depth > 32 else "ok"} pad {pad > 0}: exit {code}')
    if depth > 32 or pad or value not in ('4',): assert code == 2, (depth, pad, value, err)


PATH_KINDS = ['fifo', 'devnull', 'devstdout', 'dangling-link', 'link-to-file', 'link-to-dir', 'dir', 'user-dir', 'run-with-user-file',
              'link-to-user-dir', 'new', 'long-name']


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(PATH_KINDS), where=st.sampled_from(['sweep --out', 'sweep --out --dry-run', 'train --run --force']))
def test_fifos_devices_and_symlinks(tmp_path_factory, kind, where):
    "Outputs that are FIFOs, devices, links or the user's folders: refused in one line, never a wait, nothing of the user's lost."
    d = tmp_path_factory.mktemp('paths')
    (d / 'user').mkdir(); (d / 'user' / 'thesis.tex').write_text('mine'); (d / 'file.csv').write_text('')
    target = {'fifo': d / 'fifo', 'devnull': Path('/dev/null'), 'devstdout': Path('/dev/stdout'), 'dangling-link': d / 'dangling',
              'link-to-file': d / 'link-file', 'link-to-dir': d / 'link-dir', 'dir': d / 'user', 'user-dir': d / 'user',
              'run-with-user-file': d / 'run', 'link-to-user-dir': d / 'link-dir', 'new': d / 'new', 'long-name': d / ('n' * 250)}[kind]
    os.mkfifo(d / 'fifo'); os.symlink(d / 'missing', d / 'dangling'); os.symlink(d / 'file.csv', d / 'link-file')
    os.symlink(d / 'user', d / 'link-dir')
    if kind == 'run-with-user-file':
        assert main(['train', '--run', str(d / 'run'), '--quiet', '--n_steps', '5', '--epochs', '1']) == 0
        (d / 'run' / 'notes.txt').write_text('mine')
    if where.startswith('sweep'):
        if kind in ('new', 'link-to-file') and '--dry-run' not in where: return        # valid: it would run the sweep
        argv = ['sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear', '--out', target] + (['--dry-run'] if 'dry' in where else [])
    else:
        if kind == 'new': return                                                          # valid: it would train
        argv = ['train', '--run', target, '--force', '--quiet', '--n_steps', '5', '--epochs', '1']
    code, err = run_main(argv, d)
    tally(f'path {kind} for {where}: exit {code}')
    assert (d / 'user' / 'thesis.tex').read_text() == 'mine'
    if kind == 'run-with-user-file': assert (d / 'run' / 'notes.txt').read_text() == 'mine'
    if kind != 'new': assert code == 2, (kind, where, err)      # an empty file is not a results file either


@pytest.fixture(scope='module')
def not_schedulers():
    "Ports on 127.0.0.1 that are no Dask scheduler: an HTTP server, one that accepts and never answers, one closed."
    import http.server, socket, threading
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass                # its log would land in the stderr under test
    web = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    silent = socket.socket(); silent.bind(('127.0.0.1', 0)); silent.listen(64)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); closed = s.getsockname()[1]
    yield dict(http=web.server_address[1], silent=silent.getsockname()[1], closed=closed)
    web.shutdown(); silent.close()


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 25)), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scheme=st.sampled_from(['', 'tcp://', 'http://', 'https://', 'ws://', 'tls://', 'inproc://', 'udp://', 'ucx://']),
       host=st.one_of(st.sampled_from(['127.0.0.1', 'localhost', 'no-such-host.invalid', '', '[::1]']), st.text('ab.:/[]%@', max_size=5)),
       port=st.one_of(st.sampled_from(['http', 'silent', 'closed', '0', '-1', '65536', '99999', '', 'x']), st.text('0123456789:', max_size=6)),
       tail=st.sampled_from(['', '', '/', '/status', '?x=1']))
def test_cluster_addresses_that_are_not_schedulers(not_schedulers, tmp_path_factory, scheme, host, port, tail):
    "`sweep --cluster` at anything but a scheduler: one line, within Dask's connect timeout (1 s here), nothing written."
    import dask
    d = tmp_path_factory.mktemp('cluster')
    address = f"{scheme}{host}:{not_schedulers.get(port, port)}{tail}"
    with dask.config.set({'distributed.comm.timeouts.connect': '1s'}):
        code, err = run_main(['sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear', '--epochs', '1',
                              '--out', d / 'x.csv', '--cluster', address], d)
    tally(f'cluster address {"named port " + port if port in not_schedulers else "other"}: exit {code}')
    assert code == 2 and 'Dask' in err, (address, code, err)
    assert not (d / 'x.csv').exists()
