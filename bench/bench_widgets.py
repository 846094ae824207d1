"""Update time of the three explorers of `ddpm_nb.widgets` (notebook 08_explore), caches warm; and (--run-all) the time
of a first Run All of 08 on an empty model cache.

For each explorer, the view (the callback behind the sliders) is timed over several settings; the time counts the view
and rendering its figure to the PNG the widget shows. Budgets: forward 100 ms, reverse 300 ms, guidance 300 ms. The reverse
view scores k·n samples with `evaluate_samples` against the one floor (`floors`, kept in memory per data set, n and k).
Views run with `EXPLORER_THREADS` torch threads, as the explorers run them (--threads 0: torch's own setting).
The models are trained first with the explorers' recipe `RECIPES['explorer']` (with few epochs: the update time does not
depend on how long a model was trained) into a throwaway cache, unless --cache names one.
--run-all executes nbs/08_explore.ipynb top to bottom as JupyterLab's Run All does (slow cells included: the recipe's
full training) with `DDPM_NB_CACHE` pointing at a new empty folder, and prints its wall-clock seconds beside the load
average; budget 60 s.
Run: `python bench/bench_widgets.py [--epochs 2] [--repeat 7] [--threads N] [--strict] [--run-all]`.
"""
import argparse, inspect, os, statistics, sys, tempfile, time, shutil
from pathlib import Path
import torch
from ddpm_nb.data import load_dataset
from ddpm_nb.widgets import (forward_view, reverse_view, guidance_view, figure_png, cached_model, cached_classifier,
                             REVERSE_T, GUIDANCE_T, GUIDANCE_SCHEDULE, EXPLORER_THREADS)

GUIDE = 'blobs'          # the data set the guidance explorer opens on

BUDGETS = dict(forward=0.1, reverse=0.3, guidance=0.3)
RUN_ALL_BUDGET = 60.0
NOTEBOOK = Path(__file__).resolve().parents[1] / 'nbs' / '08_explore.ipynb'


def run_all(timeout: float = 900) -> float:
    """Seconds for a first Run All of 08_explore on an empty model cache (a new kernel; its start is counted, as a
    student's Run All waits for it too)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(NOTEBOOK, as_version=4)
    empty = tempfile.mkdtemp(prefix='ddpm_nb_empty_cache_')
    old = {k: os.environ.get(k) for k in ('DDPM_NB_CACHE', 'DDPM_NB_EXPLORE_EPOCHS')}
    os.environ['DDPM_NB_CACHE'] = empty; os.environ.pop('DDPM_NB_EXPLORE_EPOCHS', None)
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(NOTEBOOK.parent)}}).execute()
        dt = time.perf_counter() - t0
        trained = sorted(p.name.rsplit('_', 1)[0] for p in Path(empty).iterdir())
        print(f"first Run All of {NOTEBOOK.name} on an empty cache: {dt:.1f} s (budget {RUN_ALL_BUDGET:.0f} s); "
              f"it cached {len(trained)}: {', '.join(trained)}")
        return dt
    finally:
        for k, v in old.items():
            if v is None: os.environ.pop(k, None)
            else: os.environ[k] = v
        shutil.rmtree(empty, ignore_errors=True)


def timeit(fn, repeat):
    "Wall-clock seconds of each of `repeat` calls of `fn()`, after one warm-up call."
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); out.append(time.perf_counter() - t0)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=2, help='epochs of the cached models (default 2)')
    p.add_argument('--repeat', type=int, default=7, help='timed calls per setting (default 7)')
    p.add_argument('--cache', default=None, help='model cache folder (default: a throwaway one)')
    p.add_argument('--strict', action='store_true', help='exit with status 1 when an explorer is over its budget')
    p.add_argument('--run-all', action='store_true', help='also time a first Run All of 08 on an empty cache (budget 60 s)')
    p.add_argument('--threads', type=int, default=EXPLORER_THREADS,
                   help=f'torch threads (default {EXPLORER_THREADS}: what the explorers use; 0: leave torch as it is)')
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    cache = a.cache or tempfile.mkdtemp(prefix='ddpm_nb_bench_')
    try:
        X, _ = load_dataset('moons')
        t0 = time.perf_counter()
        for T in REVERSE_T: cached_model('moons', T, 'cosine', epochs=a.epochs, cache=cache, progress=False)
        cached_model('moons', 100, 'linear', epochs=a.epochs, cache=cache, progress=False)
        cached_model(GUIDE, GUIDANCE_T, GUIDANCE_SCHEDULE, conditional=True, epochs=a.epochs, cache=cache, progress=False)
        cached_classifier(GUIDE, epochs=a.epochs, cache=cache, progress=False)
        print(f"warming the caches (training {len(REVERSE_T) + 2} models with {a.epochs} epochs, one classifier): "
              f"{time.perf_counter() - t0:.1f} s; torch threads: {torch.get_num_threads()}")

        cases = dict(forward=[], reverse=[], guidance=[])
        for T, sched, t in [(10, 'linear', 5), (100, 'linear', 50), (1000, 'linear', 999), (1000, 'cosine', 500),
                            (500, 'sigmoid', 100), (200, 'sigmoid_chen', 150)]:
            cases['forward'].append((f"T={T} {sched} t={t}", lambda T=T, s=sched, t=t: forward_view(T, 1e-3, 0.02, s, t, X)))
        rk = {p: inspect.signature(reverse_view).parameters[p].default for p in ('n', 'k')}
        print(f"reverse view: n = {rk['n']} points, k = {rk['k']} draws ({rk['n'] * rk['k']} samples per update)")
        for T in REVERSE_T:
            cases['reverse'].append((f"moons T={T} cosine", lambda T=T: reverse_view('moons', T, 'cosine', epochs=a.epochs, cache=cache)))
        cases['reverse'].append(("moons T=100 linear", lambda: reverse_view('moons', 100, 'linear', epochs=a.epochs, cache=cache)))
        for c, w in [(1, 0.0), (1, 1.0), (1, 3.0), (0, 2.5), (1, 5.0)]:
            cases['guidance'].append((f"{GUIDE} class {c} w={w}", lambda c=c, w=w: guidance_view(GUIDE, c, w, epochs=a.epochs, cache=cache)))

        print(f"\n{'explorer':9} {'setting':24} {'view ms':>8} {'+png ms':>8} {'max ms':>8}   budget   (medians of {a.repeat} calls; max: slowest call)")
        worst, slowest = {}, {}
        for name, items in cases.items():
            for label, view in items:
                v = timeit(view, a.repeat)
                total = timeit(lambda: figure_png(view()[0]), a.repeat)
                worst[name] = max(worst.get(name, 0), statistics.median(total))
                slowest[name] = max(slowest.get(name, 0), max(total))
                print(f"{name:9} {label:24} {1e3 * statistics.median(v):8.1f} {1e3 * statistics.median(total):8.1f} "
                      f"{1e3 * max(total):8.1f}   {1e3 * BUDGETS[name]:.0f} ms")
        load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
        print(f"\nupdate time (view + PNG), slowest setting's median against the budget (1-min load average {load:.1f} "
              f"on {os.cpu_count()} cores):")
        ok = True
        for name, b in BUDGETS.items():
            ok &= worst[name] < b
            print(f"  {name:9} {1e3 * worst[name]:7.1f} ms / {1e3 * b:.0f} ms = {worst[name] / b:.2f} x budget "
                  f"({'within' if worst[name] < b else 'OVER'}); slowest single call {1e3 * slowest[name]:.1f} ms")
        if a.run_all:
            dt = run_all()
            print(f"  run-all   {dt:7.1f} s / {RUN_ALL_BUDGET:.0f} s = {dt / RUN_ALL_BUDGET:.2f} x budget "
                  f"({'within' if dt < RUN_ALL_BUDGET else 'OVER'}); 1-min load average now {os.getloadavg()[0]:.1f}")
            ok &= dt < RUN_ALL_BUDGET
        return 0 if ok or not a.strict else 1
    finally:
        if a.cache is None: shutil.rmtree(cache, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
