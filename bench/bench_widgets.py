"""Update time of the three explorers of `ddpm_nb.widgets` (notebook 08_explore), caches warm.

For each explorer, the view (the callback behind the sliders) is timed over several settings; the time counts the view
and rendering its figure to the PNG the widget shows. Budgets: forward 100 ms, reverse 1 s, guidance 1 s. The reverse
view scores k·n samples with `evaluate_samples` against the one floor (`floors`, kept in memory per data set, n and k).
Views run with `EXPLORER_THREADS` torch threads, as the explorers run them (--threads 0: torch's own setting).
The models are trained first with the explorers' recipe `RECIPES['explorer']` (with few epochs: the update time does not
depend on how long a model was trained) into a throwaway cache, unless --cache names one.
Run: `python bench/bench_widgets.py [--epochs 2] [--repeat 7] [--threads N] [--strict]`.
"""
import argparse, inspect, os, statistics, sys, tempfile, time, shutil
import torch
from ddpm_nb.data import load_dataset
from ddpm_nb.widgets import (forward_view, reverse_view, guidance_view, figure_png, cached_model, cached_classifier,
                             REVERSE_T, GUIDANCE_T, GUIDANCE_SCHEDULE, EXPLORER_THREADS)

BUDGETS = dict(forward=0.1, reverse=1.0, guidance=1.0)


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
        cached_model('moons', GUIDANCE_T, GUIDANCE_SCHEDULE, conditional=True, epochs=a.epochs, cache=cache, progress=False)
        cached_classifier('moons', epochs=a.epochs, cache=cache, progress=False)
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
        for c, w in [(0, 0.0), (0, 1.0), (1, 2.5), (1, 5.0)]:
            cases['guidance'].append((f"moons class {c} w={w}", lambda c=c, w=w: guidance_view('moons', c, w, epochs=a.epochs, cache=cache)))

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
        return 0 if ok or not a.strict else 1
    finally:
        if a.cache is None: shutil.rmtree(cache, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
