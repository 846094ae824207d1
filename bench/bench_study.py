"""Benchmark: the study's sweep before and after it ran on Dask, in one run.

The same subset of the study -- the report's grid (T in {10, 50, 100, 150, 200} x {linear, cosine, sigmoid}, beta in
(0.001, 0.02), seed 0) on moons and circles: 30 runs at the study's settings (100 epochs, EMD and the held-out KDE NLL on 5 subsets
of 2000 points, the variational bound) -- is run three ways, each into a fresh results file:

* the sweep as it was on main before the Dask issue (commit 915b4f6): its driver `run_sweep` with a pool of 2 scoring
  processes beside the training process, as `ddpm_nb sweep` ran it by default. Its code (`ddpm_nb/batched.py` and the
  `ddpm_nb/metrics.py` it scored with) is taken from that commit with `git show` into a temporary package;
* the Dask sweep with 1 worker process;
* the Dask sweep with 2 worker processes (the default on a 2-core machine: one worker per core).

The Dask sweep also computes the probability-flow ODE NLL of each run, which the old one did not, and the C2ST of each
run at `--c2st-n` points a side (default 500, as the study; the old sweep has none): the ratio of the old sweep to the
Dask one is printed only with `--c2st-n 0`, when both do the same scoring otherwise. Each way is timed once, whole (cluster start and stop
included), with the machine's load (`os.getloadavg`) printed beside it. Prints the ratios and the bars, and checks that
the three ways give the same numbers: EMD to 1e-9, every other score to a relative 1e-9.

Usage: python bench/bench_study.py [--datasets moons circles] [--epochs 100] [--c2st-n 500]   (needs git and the repository's history)
"""
import argparse, math, os, re, subprocess, sys, tempfile, time
from pathlib import Path

OLD_COMMIT = '915b4f6'
OLD_NAMES = dict(nll='heldout_nll', nll_std='heldout_nll_std', nll_floor='heldout_nll_floor', nll_floor_std='heldout_nll_floor_std')
"The old sweep's `nll` columns are the held-out KDE NLL; the sweep now records it as `heldout_nll` (beside the course's `course_nll`)."
ROOT = Path(__file__).resolve().parents[1]


def old_sweep_module(dest: Path):
    "`run_sweep` of commit OLD_COMMIT, importable (also by its spawned pool processes) as `ddpm_nb_old.batched`."
    pkg = dest / 'ddpm_nb_old'; pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    for name in ('batched', 'metrics'):
        src = subprocess.run(['git', '-C', str(ROOT), 'show', f'{OLD_COMMIT}:ddpm_nb/{name}.py'], capture_output=True,
                             text=True, check=True).stdout
        src = src.replace('from .metrics import', 'from ddpm_nb_old.metrics import')
        src = src.replace('from ddpm_nb import batched', 'from ddpm_nb_old import batched')
        src = re.sub(r'^from \.(\w+) import', r'from ddpm_nb.\1 import', src, flags=re.M)
        (pkg / f'{name}.py').write_text(src)
    sys.path.insert(0, str(dest))
    os.environ['PYTHONPATH'] = os.pathsep.join([str(dest), os.environ.get('PYTHONPATH', '')])
    import ddpm_nb_old.batched as old
    return old


def load() -> str:
    return '{:.2f} {:.2f} {:.2f}'.format(*os.getloadavg())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--datasets', nargs='+', default=['moons', 'circles'])
    ap.add_argument('--epochs', type=int, default=100)
    ap.add_argument('--c2st-n', type=int, default=500)
    a = ap.parse_args()
    from ddpm_nb.experiments import sweep_grid
    from ddpm_nb.sweep import run_sweep, run_key, local_workers, KEY_COLUMNS
    runs = sweep_grid(datasets=a.datasets)
    tmp = Path(tempfile.mkdtemp(prefix='bench_study_'))
    old = old_sweep_module(tmp)
    print(f"{len(runs)} runs ({', '.join(a.datasets)}: T x schedule), {a.epochs} epochs, EMD and KDE NLL on 5 x 2000 points, "
          f"C2ST on {a.c2st_n or 'no'} points a side (Dask ways); "
          f"{os.cpu_count()} CPUs, default Dask workers here: {local_workers()}")

    times, rows = {}, {}
    ways = [('old sweep (pool of 2, commit ' + OLD_COMMIT + ')', lambda out: old.run_sweep(runs, epochs=a.epochs, out_csv=out, workers=2, progress=False)),
            ('Dask, 1 worker', lambda out: run_sweep(runs, epochs=a.epochs, out_csv=out, workers=1, c2st_n=a.c2st_n, progress=False)),
            ('Dask, 2 workers', lambda out: run_sweep(runs, epochs=a.epochs, out_csv=out, workers=2, c2st_n=a.c2st_n, progress=False))]
    for i, (name, fn) in enumerate(ways):
        before = load(); t0 = time.perf_counter()
        got = fn(tmp / f'way{i}.csv')
        times[name] = time.perf_counter() - t0
        rows[name] = {tuple(r[c] for c in KEY_COLUMNS if c in r and c != 'c2st_n'): r for r in got}
        print(f"  {name:40s} {times[name]:7.1f} s   {len(got)} runs   load before {before}, after {load()}", flush=True)
        assert len(got) == len(runs), (name, len(got))

    (o, t_old), (n1, t1), (n2, t2) = list(times.items())
    ref = rows[o]
    worst = {}
    for name in (n1, n2):
        assert set(rows[name]) == set(ref), f"{name}: other runs than the old sweep"
        for k, r in rows[name].items():
            for c in ('emd', 'emd_std', 'emd_floor', 'emd_floor_std', 'emd_ratio', 'nll', 'nll_std', 'nll_floor', 'nll_floor_std',
                      'vlb', 'alpha_bar_T', 'prior_kl', 'final_loss'):
                x, y = float(r[OLD_NAMES.get(c, c)]), float(ref[k][c])
                d = abs(x - y) if c.startswith('emd') else abs(x - y) / max(abs(y), 1e-300)
                worst[c] = max(worst.get(c, 0.), d)
    emd_ok = all(worst[c] <= 1e-9 for c in worst if c.startswith('emd'))
    rest_ok = all(worst[c] <= 1e-9 for c in worst if not c.startswith('emd'))
    print("same numbers: largest |EMD difference| {:.1e}; largest relative difference of the rest {:.1e} ({})".format(
        max(worst[c] for c in worst if c.startswith('emd')), max(worst[c] for c in worst if not c.startswith('emd')),
        ', '.join(f"{c} {v:.0e}" for c, v in worst.items() if not c.startswith('emd'))))
    default = n2 if local_workers() == 2 and a.c2st_n == 0 else None      # the same scoring: no C2ST
    print(f"ratio 1 worker / 2 workers: {t1 / t2:.2f}x (bar >= 1.8x: parallel efficiency {t1 / t2 / 2:.0%})")
    if default: print(f"ratio old sweep / default Dask sweep (2 workers here): {t_old / t2:.2f}x (bar >= 1.0x, goal >= 1.3x)")
    ok = emd_ok and rest_ok and t1 / t2 >= 1.8 and (default is None or t_old / t2 >= 1.0)
    print("bars:", "all met" if ok else "NOT all met")
    return 0 if emd_ok and rest_ok else 1


if __name__ == '__main__':
    sys.exit(main())
