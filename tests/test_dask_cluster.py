"""The sweep on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1 (one thread each),
`ddpm_nb sweep --cluster tcp://127.0.0.1:PORT` run against them as a user would, and one worker killed mid-sweep.
Everything the test starts it stops (each in its own process group)."""
import json, os, re, signal, socket, subprocess, sys, threading, time
from collections import Counter
from pathlib import Path
import pytest

distributed = pytest.importorskip('distributed')
from distributed import Client
from ddpm_nb.sweep import CSV_COLUMNS, KEY_COLUMNS, RESULT_COLUMNS
from ddpm_nb.runs import read_rows

BIN = Path(sys.executable).parent
# 8 runs of one data set, so one training group that one worker trains and both score (the other must receive it); the
# study's scores (EMD and both NLLs on 2000 points, 5 subsets: about 2 s a run; the C2ST of 100 points a side, the 8 runs'
# classifiers trained together in one task), so that a worker can be killed mid-task
GRID = ['--datasets', 'moons', '--n_steps', '10', '50', '--schedulers', 'linear', 'sigmoid', '--seeds', '0', '1', '--epochs', '2',
        '--c2st-n', '100']
N_RUNS = 8
TIMES = ('train_s', 'sample_s', 'eval_s', 'wall_s')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def _scheduler_address(sfile, scheduler, limit=120):
    "The address the scheduler wrote into `sfile`, waited for at most `limit` seconds."
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and scheduler.poll() is None:
        try: return json.loads(sfile.read_text())['address']
        except (OSError, ValueError, KeyError): time.sleep(0.1)
    raise AssertionError(f"the scheduler wrote no address to {sfile} within {limit} s (exit status {scheduler.poll()})")


def _env():
    # the checkout under test first, for the scheduler and workers too: the sweep checks that they import its very ddpm_nb
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', MPLBACKEND='Agg')
    return env


def _stop(procs):
    "Stop each process group this test started: SIGTERM, then SIGKILL what is left after 30 s."
    for p in procs:
        if p.poll() is None: os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try: p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL); p.wait(timeout=30)


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    "A scheduler and two single-threaded workers (each under its nanny) on 127.0.0.1; yields (address, client)."
    logs = tmp_path_factory.mktemp('dask_logs')
    sfile = logs / 'scheduler.json'
    dask = str(BIN / 'dask')
    procs = []

    def start(name, *args, **env):
        log = open(logs / f'{name}.log', 'w')
        procs.append(subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, env=dict(_env(), **env),
                                      start_new_session=True))

    try:
        # as notebook 10_cli advises: the scheduler keeps the copies a worker received (no active memory manager)
        # the scheduler takes free ports itself and writes its address into a file the workers read: no port is guessed
        start('scheduler', 'scheduler', '--host', '127.0.0.1', '--port', '0', '--dashboard-address', '127.0.0.1:0',
              '--scheduler-file', str(sfile), DASK_DISTRIBUTED__SCHEDULER__ACTIVE_MEMORY_MANAGER__START='False')
        for i in range(2):
            start(f'worker{i}', 'worker', '--scheduler-file', str(sfile), '--nworkers', '1', '--nthreads', '1', '--host', '127.0.0.1',
                  '--no-dashboard')
        address = _scheduler_address(sfile, procs[0])
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            yield address, client, procs
    finally:
        _stop(procs)
        assert all(p.poll() is not None for p in procs), "every process the test started is stopped"


def _sweep_cmd(address, out):
    return [str(BIN / 'ddpm_nb'), 'sweep', *GRID, '--out', str(out), '--cluster', address]


def _per_worker(stdout: str) -> Counter:
    "The 'runs per worker' of the sweep's last line."
    m = re.search(r"runs per worker: (.*?)\)", stdout)
    assert m, stdout[-2000:]
    return Counter({w: int(n) for w, n in (part.rsplit(' ', 1) for part in m.group(1).split(', '))})


def _numbers(rows):
    "Each run's key -> its result columns, less the times (which differ from one run to the next)."
    return {tuple(r[c] for c in KEY_COLUMNS): {c: r[c] for c in RESULT_COLUMNS if c not in TIMES} for r in rows}


@pytest.fixture(scope='module')
def first_sweep(cluster, tmp_path_factory):
    address, client, _ = cluster
    out = tmp_path_factory.mktemp('sweep') / 'cluster.csv'
    workers = set(client.scheduler_info()['workers'])
    p = subprocess.run(_sweep_cmd(address, out), capture_output=True, text=True, timeout=600, env=_env())
    assert p.returncode == 0, p.stderr[-3000:]
    return out, p.stdout, workers


# a real scheduler and two workers, then a full sweep on them: minutes of CPU, so with the slow tests (`make test-slow`, run by
# CI); the cluster checks that need no sweep (here and in tests/test_cluster_waits.py) stay in `make test`
@pytest.mark.slow
def test_every_row_and_both_workers(first_sweep, cluster):
    out, stdout, workers = first_sweep
    rows = read_rows(out, CSV_COLUMNS)
    assert len(rows) == N_RUNS
    assert len({tuple(r[c] for c in KEY_COLUMNS) for r in rows}) == N_RUNS
    assert f"Dask: scheduler {cluster[0]}, 2 workers; dashboard http://" in stdout
    per_worker = _per_worker(stdout)
    assert set(per_worker) == workers, (per_worker, workers)         # both workers scored runs
    assert sum(per_worker.values()) == N_RUNS


# a real scheduler and two workers, then a full sweep on them: minutes of CPU, so with the slow tests (`make test-slow`, run by
# CI); the cluster checks that need no sweep (here and in tests/test_cluster_waits.py) stay in `make test`
@pytest.mark.slow
def test_inputs_travel_once_per_worker(first_sweep, cluster):
    """The trained group goes to the worker that did not train it once, however many of its runs that worker scores (and
    so does the runs' C2ST); the data set never travels (each worker splits it itself)."""
    _, client, _ = cluster
    fetched = client.run(lambda dask_worker: [k for d in dask_worker.transfer_incoming_log for k in d['keys']])
    trains = [k for keys in fetched.values() for k in keys if k.startswith('train-')]
    assert len(trains) == 1, fetched                                 # one group, trained on one worker, sent to the other
    for worker, keys in fetched.items():
        assert {k.split('-')[0] for k in keys} <= {'train', 'floor', 'c2st'}, keys
        twice = [k for k, n in Counter(keys).items() if n > 1]
        assert not twice, (worker, twice)


# a real scheduler and two workers, then a full sweep on them: minutes of CPU, so with the slow tests (`make test-slow`, run by
# CI); the cluster checks that need no sweep (here and in tests/test_cluster_waits.py) stay in `make test`
@pytest.mark.slow
def test_worker_killed_mid_sweep(first_sweep, cluster, tmp_path):
    "SIGKILL one worker process while it runs a task: its nanny starts a new one, the sweep completes, every row once."
    address, client, _ = cluster
    out = tmp_path / 'killed.csv'
    p = subprocess.Popen(_sweep_cmd(address, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                         start_new_session=True)
    lines, errs = [], []
    readers = [threading.Thread(target=lambda s=s, into=into: into.extend(iter(s.readline, '')), daemon=True)
               for s, into in ((p.stdout, lines), (p.stderr, errs))]
    for t in readers: t.start()
    try:
        victim, deadline = None, time.time() + 300
        while victim is None and time.time() < deadline and p.poll() is None:
            if any(l.startswith('[1/') for l in lines):                  # mid-sweep: one row written, more to come
                busy = [w for w, keys in client.processing().items() if keys]
                if busy: victim = busy[0]
            time.sleep(0.05)
        assert victim is not None, ''.join(lines + errs)[-3000:]
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        p.wait(timeout=600)
    finally:
        _stop([p])
    for t in readers: t.join(timeout=10)
    stdout = ''.join(lines)
    assert p.returncode == 0, ''.join(errs)[-3000:]
    rows = read_rows(out, CSV_COLUMNS)
    keys = [tuple(r[c] for c in KEY_COLUMNS) for r in rows]
    assert len(rows) == N_RUNS and len(set(keys)) == N_RUNS, keys      # every row, exactly once
    assert len([l for l in lines if re.match(r'\[\d+/8\] ', l)]) == N_RUNS
    assert _numbers(rows) == _numbers(read_rows(first_sweep[0], CSV_COLUMNS))   # the same numbers as without the kill
    client.wait_for_workers(2, timeout=120)                            # the nanny replaced the killed worker
    assert victim not in client.scheduler_info()['workers']


def test_unreachable_cluster_is_one_line(tmp_path):
    port = _free_port()                                                # nothing listens there
    p = subprocess.run([*_sweep_cmd(f'tcp://127.0.0.1:{port}', tmp_path / 'x.csv')], capture_output=True, text=True,
                       timeout=120, env=dict(_env(), DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT='5s'))   # Dask's 30 s: slow
    assert p.returncode == 2
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}'" in err[0], p.stderr
    assert not (tmp_path / 'x.csv').exists()
