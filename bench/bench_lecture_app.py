"""The lecture app under a class's use: `docs/lecture.py` (what `make explore` runs) serves the explorers; headless
Chromium opens the page N times in a row (open, wait for the three figures, close), and the bench reports each load's
time, the loads that failed, and afterwards the kernels still alive and the memory the server's processes hold.

    python bench/bench_lecture_app.py [--loads 50] [--hog] [--epochs 2] [--budget 15]

--hog     a busy loop on every core while the pages load (a class's laptops are never idle)
--epochs  the cached models' epochs (DDPM_NB_EXPLORE_EPOCHS; the models are trained once, before the first load)
The goal (issue 23): every load succeeds, each within --budget s with the cache warm, and after the loads at most 2
kernels are alive and the server's processes hold at most 2 GB.
"""
import argparse, json, os, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get('DDPM_NB_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
EXPLORERS = ('forward', 'reverse', 'guidance')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def start_app(port: int, env: dict, log) -> subprocess.Popen:
    "`docs/lecture.py --no-warm` on `port`; returns once it answers HTTP."
    proc = subprocess.Popen([sys.executable, str(REPO / 'docs' / 'lecture.py'), '--no-warm', '--port', str(port)],
                            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 60
    while True:
        if proc.poll() is not None: raise RuntimeError(f"the app exited ({proc.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5); return proc
        except OSError as e:
            if getattr(e, 'code', None): return proc
            if time.time() > deadline: raise RuntimeError(f"the app did not answer on port {port} within 60 s")
            time.sleep(0.5)


def stop_app(proc: subprocess.Popen):
    "SIGTERM to the app's process group (`start_app` starts it in a session of its own), SIGKILL after 20 s."
    try: os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError: pass
    try: proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)


def kernels(port: int) -> int:
    "How many sessions (Solara's virtual kernels) the server holds, from its /resourcez report."
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/resourcez", timeout=10) as r: return json.load(r)['kernels']['total']


def tree_rss(pid: int) -> int:
    "Resident memory of `pid` and all its descendants, in bytes."
    import psutil
    p = psutil.Process(pid)
    total = 0
    for q in [p, *p.children(recursive=True)]:
        try: total += q.memory_info().rss
        except psutil.NoSuchProcess: pass
    return total


def figures_shown(page) -> bool:
    for e in EXPLORERS:
        img = page.locator(f'.ddpm-{e}-explorer img')
        if not img.count() or not img.first.get_attribute('src'): return False
    return True


def load_once(browser, base: str, timeout: float) -> tuple[bool, float, str]:
    "Open the app in a new page, wait for the three figures, close the page as a tab closes. (ok, seconds, why not)."
    page = browser.new_page(viewport={'width': 1400, 'height': 1000})
    t0 = time.time()
    try:
        page.goto(f"{base}/", timeout=timeout * 1000)
        while time.time() - t0 < timeout:
            if figures_shown(page): return True, time.time() - t0, ''
            tb = page.locator('body', has_text='Traceback')
            if tb.count(): return False, time.time() - t0, 'traceback: ' + tb.first.inner_text()[-300:]
            page.wait_for_timeout(100)
        status = page.inner_text('body')[:120].replace('\n', ' ')
        return False, time.time() - t0, f"not ready within {timeout:.0f} s ({status!r})"
    except Exception as e:
        try: shown = page.inner_text('body', timeout=2000)[:200].replace('\n', ' ')
        except Exception: shown = '?'
        return False, time.time() - t0, f"{type(e).__name__}: {str(e).splitlines()[0]} (page shows {shown!r})"
    finally:
        try: page.goto('about:blank', timeout=10000)  # leave the page, as a student does: its unload beacon ends its session
        except Exception: pass
        page.close()


def run(loads: int, use_hog: bool, epochs: int, budget: float, timeout: float, cache: Path, quiet=False, keep_log=None):
    from playwright.sync_api import sync_playwright
    env = dict(os.environ, DDPM_NB_CACHE=str(cache), OMP_NUM_THREADS='1')
    if epochs: env['DDPM_NB_EXPLORE_EPOCHS'] = str(epochs)
    env.pop('MPLBACKEND', None)
    subprocess.run([sys.executable, str(REPO / 'docs' / 'lecture.py'), '--warm-only'], env=env, cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    port = free_port()
    with tempfile.TemporaryDirectory() as td:
        log = open(Path(td) / 'server.log', 'w')
        app = start_app(port, env, log)
        from bench_loops import start_hog, stop_hog            # the benches' one CPU hog: a busy process per core
        hogs = start_hog() if use_hog else []
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    for i in range(loads):
                        ok, s, why = load_once(browser, f"http://127.0.0.1:{port}", timeout)
                        rows.append((ok, s, why))
                        if not quiet: print(f"{time.strftime('%H:%M:%S')} load {i + 1:>3}: {'ok' if ok else 'FAILED'} {s:6.1f} s {why}", flush=True)
                finally: browser.close()
            time.sleep(5)                                  # the last close's shutdown lands, the pool refills
            alive, rss = kernels(port), tree_rss(app.pid)
        finally:
            stop_hog(hogs)
            stop_app(app); log.close()
            server_log = (Path(td) / 'server.log').read_text()
            if keep_log: Path(keep_log).write_text(server_log)
    times = [s for ok, s, _ in rows if ok]
    res = dict(loads=loads, ok=sum(ok for ok, _, _ in rows), within_budget=sum(ok and s <= budget for ok, s, _ in rows),
               median_s=statistics.median(times) if times else None, max_s=max(times) if times else None,
               kernels_alive=alive, server_rss_gb=rss / 2**30, hog=use_hog, failures=[w for ok, _, w in rows if not ok],
               server_errors=server_log.count('Traceback'))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--loads', type=int, default=50)
    ap.add_argument('--hog', action='store_true')
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--budget', type=float, default=15.0)
    ap.add_argument('--timeout', type=float, default=120.0, help='give up on a load after this many seconds')
    ap.add_argument('--log', help="keep the server's log here")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        r = run(a.loads, a.hog, a.epochs, a.budget, a.timeout, Path(cache) / 'models', keep_log=a.log)
    print(f"{r['ok']}/{r['loads']} loads succeeded, {r['within_budget']} within {a.budget:.0f} s "
          f"(median {r['median_s']:.1f} s, max {r['max_s']:.1f} s){' with a busy loop on every core' if r['hog'] else ''}; "
          f"after them {r['kernels_alive']} kernels alive, the server's processes hold {r['server_rss_gb']:.2f} GB; "
          f"errors in the server's log: {r['server_errors']}")
    for w in r['failures']: print('  failed:', w)
    ok = r['ok'] == r['loads'] == r['within_budget'] and r['kernels_alive'] <= 2 and r['server_rss_gb'] <= 2
    print('PASS' if ok else 'FAIL'); return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
