"""Waits that end: `ddpm_nb sweep --cluster ADDRESS` pointed at things that are not a working Dask cluster (an HTTP
server, a port that accepts and stays silent, a scheduler with no workers, workers without ddpm_nb or with another
version) ends in one line, well within 60 s; Ctrl-C during a local-cluster sweep and a scheduler lost mid-sweep end in
one line, with every finished row still in the CSV. Real processes, as a user would start them; Dask's connect timeout
is shortened to a few seconds through its own setting (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT) to keep each test
quick. Everything a test starts, it stops (each in its own process group)."""
import os, re, shutil, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest

pytest.importorskip('distributed')
from ddpm_nb.sweep import CSV_COLUMNS
from ddpm_nb.runs import read_rows
import ddpm_nb

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHEAP = ['--epochs', '1', '--eval-n', '100', '--k-subsets', '2', '--c2st-n', '0', '--quiet']
GRID = ['--datasets', 'moons', '--n_steps', '10', '20', '--schedulers', 'linear', 'cosine']
LIMIT = 60                                     # the bound on any of these commands, start-up included


def _env(timeout='5s', pythonpath=()):
    "The checkout under test first on PYTHONPATH (after `pythonpath`), one thread, Dask's connect timeout `timeout`."
    return dict(os.environ, PYTHONPATH=os.pathsep.join([*map(str, pythonpath), str(ROOT)]), OMP_NUM_THREADS='1',
                MKL_NUM_THREADS='1', MPLBACKEND='Agg', DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


class Procs(list):
    "Processes started by a test, each in its own process group; `stop()` ends them all (SIGTERM, then SIGKILL)."
    def start(self, args, log=subprocess.DEVNULL, **env):
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=_env(**env), start_new_session=True)
        self.append(p); return p

    def stop(self):
        for p in self:
            if p.poll() is None: os.killpg(p.pid, signal.SIGTERM)
        for p in self:
            try: p.wait(timeout=30)
            except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL); p.wait(timeout=30)


@pytest.fixture
def procs():
    ps = Procs()
    yield ps
    ps.stop()
    assert all(p.poll() is not None for p in ps), "every process the test started is stopped"


def _scheduler(procs, *workers_pythonpath, n_workers=None):
    "A `dask scheduler` on 127.0.0.1 and one `dask worker` per entry of `workers_pythonpath` (its PYTHONPATH before the checkout)."
    port = _free_port()
    address = f'tcp://127.0.0.1:{port}'
    procs.start([str(BIN / 'dask'), 'scheduler', '--host', '127.0.0.1', '--port', str(port), '--no-dashboard'])
    for path in workers_pythonpath:
        procs.start([str(BIN / 'dask'), 'worker', address, '--nworkers', '1', '--nthreads', '1', '--host', '127.0.0.1',
                     '--no-dashboard'], pythonpath=path)
    if workers_pythonpath:
        from distributed import Client
        with Client(address, timeout=60) as c: c.wait_for_workers(len(workers_pythonpath), timeout=120)
    else:
        deadline = time.time() + 60
        while time.time() < deadline:
            try: socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
            except OSError: time.sleep(0.2)
    return address


def _sweep(out, cluster, timeout='3s', extra=()):
    "`ddpm_nb sweep --cluster` as a user runs it, timed: (CompletedProcess, seconds)."
    t0 = time.time()
    p = subprocess.run([str(BIN / 'ddpm_nb'), 'sweep', *GRID, *CHEAP, '--out', str(out), '--cluster', cluster, *extra],
                       capture_output=True, text=True, timeout=LIMIT + 60, env=_env(timeout))
    return p, time.time() - t0


def _one_line(p, contains):
    assert p.returncode == 2, (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    assert 'Traceback' not in p.stderr and p.stderr.count('\n') == 1, p.stderr
    assert contains in p.stderr, p.stderr


@pytest.fixture(scope='module')
def not_schedulers():
    "An HTTP server and a port that accepts and never answers, on 127.0.0.1: {'http': port, 'silent': port}."
    http_port = _free_port()
    http = subprocess.Popen([sys.executable, '-m', 'http.server', str(http_port), '--bind', '127.0.0.1'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    silent = socket.socket(); silent.bind(('127.0.0.1', 0)); silent.listen(64)      # the kernel accepts; nobody reads
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try: socket.create_connection(('127.0.0.1', http_port), timeout=1).close(); break
            except OSError: time.sleep(0.1)
        yield dict(http=http_port, silent=silent.getsockname()[1])
    finally:
        silent.close(); os.killpg(http.pid, signal.SIGTERM); http.wait(timeout=30)


@pytest.mark.parametrize('form', ['http://127.0.0.1:{http}', '127.0.0.1:{http}', 'tcp://127.0.0.1:{silent}'])
def test_not_a_scheduler_is_one_line(not_schedulers, tmp_path, form):
    address = form.format(**not_schedulers)
    p, took = _sweep(tmp_path / 'x.csv', address)
    _one_line(p, f"cannot reach the Dask scheduler at {address!r} within 3 s")
    assert took < LIMIT, took
    assert not (tmp_path / 'x.csv').exists()


def test_scheduler_without_workers_is_one_line(procs, tmp_path):
    address = _scheduler(procs)
    p, took = _sweep(tmp_path / 'x.csv', address)
    _one_line(p, f"the Dask scheduler at {address!r} has no workers (none joined within 3 s); start some with `dask worker {address}`")
    assert took < LIMIT, took


def test_workers_without_ddpm_nb_or_another_version(procs, tmp_path):
    "One worker cannot import ddpm_nb, another has version 0.0.1: one line names both, and neither worker is harmed."
    missing, other = tmp_path / 'missing', tmp_path / 'other'
    (missing / 'ddpm_nb').mkdir(parents=True)
    (missing / 'ddpm_nb' / '__init__.py').write_text('raise ImportError("no ddpm_nb here")\n')
    shutil.copytree(ROOT / 'ddpm_nb', other / 'ddpm_nb')
    (other / 'ddpm_nb' / '__init__.py').write_text('__version__ = "0.0.1"\n')
    address = _scheduler(procs, [missing], [other])
    p, took = _sweep(tmp_path / 'x.csv', address, timeout='20s')        # room for a cold worker's first import of torch
    _one_line(p, f"the Dask cluster at {address!r} cannot run the sweep, which needs ddpm_nb {ddpm_nb.__version__}")
    assert 'cannot import ddpm_nb' in p.stderr and 'ddpm_nb 0.0.1' in p.stderr, p.stderr
    assert took < LIMIT, took
    from distributed import Client
    with Client(address, timeout=30) as c: assert len(c.scheduler_info()['workers']) == 2      # both still there


@pytest.fixture(scope='module')
def seeded(tmp_path_factory) -> Path:
    "A results file holding one finished run of GRID (made in the sweep's own process, `--workers 0`)."
    d = tmp_path_factory.mktemp('seed')
    p = subprocess.run([str(BIN / 'ddpm_nb'), 'sweep', '--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear',
                        *CHEAP, '--workers', '0', '--out', 'r.csv'], cwd=d, capture_output=True, text=True, timeout=300, env=_env())
    assert p.returncode == 0, p.stderr[-2000:]
    assert len(read_rows(d / 'r.csv', CSV_COLUMNS)) == 1
    return d / 'r.csv'


def _seed_row(seeded, tmp_path) -> list[dict]:
    "The seeded results file copied to tmp_path/r.csv: its row, which a later sweep must not lose."
    shutil.copy(seeded, tmp_path / 'r.csv')
    return read_rows(tmp_path / 'r.csv', CSV_COLUMNS)


def _start_sweep(tmp_path, *extra, **env):
    "The 4-run grid into tmp_path/r.csv, started as from a terminal (SIGINT at its default), in its own process group."
    return subprocess.Popen([str(BIN / 'ddpm_nb'), 'sweep', *GRID, *CHEAP[:-1], '--out', 'r.csv', *extra], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(**env), start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_line(p, prefix, seconds=120):
    lines, deadline = [], time.time() + seconds
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line: break
        lines.append(line)
        if line.startswith(prefix): return lines
    raise AssertionError(f"no line starting {prefix!r}: {''.join(lines)}")


def test_ctrl_c_in_a_local_cluster_sweep(seeded, tmp_path):
    "Ctrl-C reaches the whole process group, workers included: one line on stderr, exit 130, the finished row kept."
    before = _seed_row(seeded, tmp_path)
    p = _start_sweep(tmp_path, '--workers', '2')
    try:
        _wait_for_line(p, '  moons: ')                                   # the local cluster's workers have their tasks
        time.sleep(1)
        os.killpg(p.pid, signal.SIGINT)                                  # as a terminal does: every process of the group
        out, err = p.communicate(timeout=LIMIT)
    finally:
        if p.poll() is None: os.killpg(p.pid, signal.SIGKILL); p.wait()
    assert p.returncode == 130, (p.returncode, err)
    assert 'Traceback' not in err and len(err.strip().splitlines()) == 1 and 'interrupted' in err, err
    after = read_rows(tmp_path / 'r.csv', CSV_COLUMNS)
    assert before[0] in after                                           # the finished row is there, whole


def test_scheduler_lost_mid_sweep(seeded, procs, tmp_path):
    "The scheduler killed while the sweep waits on it: one line that counts the rows on file, and they are all there."
    before = _seed_row(seeded, tmp_path)
    address = _scheduler(procs, [])
    scheduler = procs[0]
    p = _start_sweep(tmp_path, '--cluster', address, timeout='20s')
    try:
        _wait_for_line(p, '  moons: ')                                   # tasks submitted to the scheduler
        os.killpg(scheduler.pid, signal.SIGKILL)
        out, err = p.communicate(timeout=LIMIT)
    finally:
        if p.poll() is None: os.killpg(p.pid, signal.SIGKILL); p.wait()
    after = read_rows(tmp_path / 'r.csv', CSV_COLUMNS)
    n = len(after)
    assert p.returncode == 2, (p.returncode, err)
    assert 'Traceback' not in err and err.count('\n') == 1, err
    assert re.search(rf"lost the Dask scheduler at '{re.escape(address)}': {n} of 4 runs are in r.csv, each row whole; rerun", err), err
    assert before[0] in after
