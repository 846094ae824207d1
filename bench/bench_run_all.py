"""Run All in JupyterLab, as a reader does it: how long each notebook takes, with an empty model cache and a warm one.

    python bench/bench_run_all.py [--notebooks 03_training 04_sampling ...] [--full] [--out results/bench_run_all.txt]

Starts JupyterLab as `make lab` does (its kernels skip the full-length `#| slow` cells: tools/lab_startup.py; `--full`
runs them, as `make lab FULL=1`), with a throwaway model cache (DDPM_NB_CACHE), and drives headless Chromium (Debian's,
through Playwright, as tests/test_browser.py). For each notebook: open it, wait for its kernel, Run > Run All Cells, and
time until no cell is queued or running and the kernel is idle; then shut its kernel down. Two passes over the
notebooks: the first with the cache empty (cold), the second with what the first left in it (warm). A cell that raises
counts as a failure, with its error. Kernels run torch at one thread (OMP_NUM_THREADS=1). Prints and writes a table
(`--out`) with the machine's load. The goal (issue 23): at most 2 minutes cold and 30 s warm per lesson.
"""
import argparse, os, re, shutil, sys, tempfile, time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / 'tests'))
from test_browser import CHROMIUM, CHROMIUM_ARGS, _api, _start_kernel, _wait_all_cells, lab_server   # noqa: E402

RUN_ALL_TIMEOUT = 1800.0


def run_all(browser, lab: dict, notebook: str) -> tuple[float, str]:
    "Seconds from Run All Cells to an idle kernel for `notebook` (a path under the repository), and '' or the error."
    page = browser.new_page(viewport={'width': 1500, 'height': 1000})
    try:
        page.goto(f"{lab['base']}/lab/tree/{notebook}?reset&token={lab['token']}")     # reset: only this notebook open
        page.wait_for_selector('.jp-NotebookPanel .jp-Notebook .jp-Cell', timeout=90_000)
        _start_kernel(page)
        t0 = time.time()
        page.locator('.lm-MenuBar-item', has_text='Run').first.click()
        page.locator('.lm-Menu-item').filter(has=page.locator('.lm-Menu-itemLabel', has_text=re.compile(r'^Run All Cells$'))).click()
        try:
            _wait_all_cells(page, RUN_ALL_TIMEOUT)
            return time.time() - t0, ''
        except BaseException as e:             # pytest.fail's Failed (a cell raised) or a timeout
            if isinstance(e, KeyboardInterrupt): raise
            return time.time() - t0, ' '.join(str(e).split())[-300:]
    finally:
        page.close()
        for k in _api(lab['base'], lab['token'], '/api/kernels') or []:
            _api(lab['base'], lab['token'], f"/api/kernels/{k['id']}", 'DELETE')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--notebooks', nargs='*', help="notebook names (default: every notebook of nbs/ but index)")
    ap.add_argument('--full', action='store_true', help='run the #| slow cells too (make lab FULL=1)')
    ap.add_argument('--passes', type=int, default=2, help='1: cold only; 2: cold, then warm')
    ap.add_argument('--out', default=str(REPO / 'results' / 'bench_run_all.txt'))
    a = ap.parse_args()
    names = a.notebooks or sorted(p.stem for p in (REPO / 'nbs').glob('[0-9]*.ipynb'))
    for n in names:
        if not (REPO / 'nbs' / f'{n}.ipynb').is_file(): ap.error(f"no notebook nbs/{n}.ipynb")
    from playwright.sync_api import sync_playwright
    tmp = Path(tempfile.mkdtemp(prefix='bench_run_all_'))
    startup = tmp / 'ipython' / 'profile_default' / 'startup'
    startup.mkdir(parents=True)
    shutil.copy(REPO / 'tools' / 'lab_startup.py', startup / '00-ddpm-nb.py')         # as `make lab`
    env = dict(IPYTHONDIR=str(tmp / 'ipython'), DDPM_NB_CACHE=str(tmp / 'model-cache'))
    if a.full: env['DDPM_NB_FULL'] = '1'
    times = {n: [] for n in names}
    try:
        with lab_server(tmp, env) as lab, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for k in range(a.passes):
                for n in names:
                    load = os.getloadavg()[0]
                    s, err = run_all(browser, lab, f'nbs/{n}.ipynb')
                    times[n].append((s, err, load))
                    print(f"{'cold' if k == 0 else 'warm'} {n:22s} {s:7.1f} s  load {load:.1f}  {err}", flush=True)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    head = f"{'notebook':22s} {'cold s':>8s} {'warm s':>8s}  load  errors"
    rows = [head, '-' * len(head)]
    for n, r in times.items():
        cold, warm = r[0], (r[1] if len(r) > 1 else None)
        errs = '; '.join(e for _, e, _ in r if e)
        rows.append(f"{n:22s} {cold[0]:8.1f} {warm[0] if warm else float('nan'):8.1f}  {max(l for _, _, l in r):4.1f}  {errs}")
    rows.append(f"\nRun All in JupyterLab (headless Chromium), {'full-length cells included (FULL=1)' if a.full else 'as `make lab` runs it: #| slow cells skipped'}; "
                f"torch at one thread; load = the 1-minute load average before the notebook ran (the highest of its passes). "
                f"Cold: an empty model cache; warm: the same cache after the first pass.")
    print('\n'.join(rows))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text('\n'.join(rows) + '\n')


if __name__ == '__main__':
    main()
