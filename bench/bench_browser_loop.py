"""The browser tests, over and over, on a busy machine: are they ever flaky?

    python bench/bench_browser_loop.py [--runs 10] [--no-hog] [--out results/bench_browser_loop.txt]

Runs the two browser tests (tests/test_browser.py: sliders in JupyterLab; tests/test_lecture_app.py: the lecture app)
`--runs` times in a row, each run a fresh `pytest` process, as `make test` runs them: no retries, the tests' own
timeouts. Meanwhile a busy loop runs on every core (a class's laptops are never idle; `--no-hog` leaves the machine
alone). Prints one line per run (passed or failed, its time and the load average) and the count of runs that passed, and
writes them to `--out`. Exits with status 1 unless every run passed. The goal (issue 23): 10 of 10 with both cores busy.
"""
import argparse, os, subprocess, sys, time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = ('tests/test_browser.py', 'tests/test_lecture_app.py')
sys.path.insert(0, str(REPO / 'bench'))
from bench_loops import start_hog, stop_hog        # noqa: E402  (the benches' one CPU hog: a busy process per core)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--no-hog', action='store_true', help='no busy loop on the cores')
    ap.add_argument('--out', default=str(REPO / 'results' / 'bench_browser_loop.txt'))
    a = ap.parse_args()
    if a.runs < 1: ap.error(f"--runs must be at least 1, got {a.runs}")
    hogs = [] if a.no_hog else start_hog()
    lines, passed = [], 0
    try:
        for i in range(a.runs):
            t0 = time.time()
            p = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *TESTS], cwd=REPO,
                               capture_output=True, text=True)
            ok = p.returncode == 0
            passed += ok
            summary = (p.stdout.strip().splitlines() or [''])[-1]
            lines.append(f"run {i + 1:2d}: {'passed' if ok else 'FAILED'} in {time.time() - t0:5.1f} s, load "
                         f"{os.getloadavg()[0]:.1f} ({summary})")
            print(lines[-1], flush=True)
            if not ok: print(p.stdout[-3000:], p.stderr[-2000:], sep='\n', flush=True)
    finally:
        stop_hog(hogs)
    lines.append(f"{passed} of {a.runs} runs passed{'' if a.no_hog else f', with a busy loop on each of the {len(hogs)} cores'}")
    print(lines[-1])
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(lines) + '\n')
    sys.exit(0 if passed == a.runs else 1)


if __name__ == '__main__':
    main()
