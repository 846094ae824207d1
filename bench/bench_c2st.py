"""Benchmark: the C2ST in torch (`c2st`, `c2st_many`) against scikit-learn's (`c2st_reference`), in one run.

Three parts, all at one torch thread per process:

1. **One call**, 500 points a side, old against new, interleaved, best of `--repeat`: a study run's samples against the
   held-out half of moons (2-D) and of digits (64-D).
2. **The study's C2ST workload**: the samples of every run of `ddpm_nb sweep --study full` (its groups trained and
   sampled exactly as the sweep's tasks do), each against its data set's held-out half at 500 points a side, plus each
   data set's floor (two disjoint held-out subsets). Old: `c2st_reference` one call at a time. New: `c2st_many` on the
   runs of a group `C2ST_RUNS` at a time, as the sweep's `c2st` tasks do, and `c2st` for the floors. The CPU seconds of
   each (summed over the two worker processes that share the calls).
3. **Agreement**: torch against scikit-learn on every pair of part 2, plus pairs clearly apart (shifted, scaled, another
   data set); scikit-learn with a second seed on a subset of at least 60 of them measures the reference's own seed
   noise. Passes when mean |torch - sklearn| <= mean |sklearn(seed 0) - sklearn(seed 1)| + 0.005 over that subset and
   the rank correlation of torch and sklearn over all pairs is >= 0.95.

Prints the tables, the ratios and the bars. Usage: python bench/bench_c2st.py [--repeat 3] [--workers 2] [--quick]
(`--quick`: one data set of each kind, a few runs: a smoke run of the bench itself, not its numbers).
"""
import argparse, os, sys, time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np
import torch


def _init():
    torch.set_num_threads(1)


def _timed(fn_name, args, kwargs):
    "Run ddpm_nb.metrics.<fn_name>(*args, **kwargs) in this process; (result, CPU seconds)."
    from ddpm_nb import metrics
    t = time.process_time()
    out = getattr(metrics, fn_name)(*args, **kwargs)
    return out, time.process_time() - t


def study_pairs(quick: bool):
    "The study's runs' samples, as its train tasks make them, with each data set's held-out half and floor pair."
    from ddpm_nb.experiments import study_runs
    from ddpm_nb.sweep import with_settings, run_recipe, _train_task, _split, C2ST_RUNS
    from ddpm_nb.metrics import _disjoint_subsets
    runs = with_settings(study_runs('full'))
    if quick: runs = [r for r in runs if r['dataset'] in ('moons', 'digits')][:4] + [r for r in runs if r['dataset'] == 'digits'][:2]
    groups, floors = [], {}
    for ds in dict.fromkeys(r['dataset'] for r in runs):
        mine = [r for r in runs if r['dataset'] == ds]
        t = time.time()
        g = _train_task([run_recipe(r) for r in mine], [r['seed'] for r in mine], (ds, 0.5, None), 2000, 5, 1)
        X_te = _split(ds, 0.5, None)[1]
        labels = [f"{ds} T={r['T']} {r['schedule']}" + (f" {r['beta_low']}-{r['beta_high']}" if r['beta_low'] else '') +
                  f" s{r['seed']}" for r in mine]
        for c in range(0, len(mine), C2ST_RUNS):
            js = range(c, min(c + C2ST_RUNS, len(mine)))
            groups.append([(labels[j], g['samples'][j], X_te) for j in js if torch.isfinite(g['samples'][j]).all()])
        u, v = next(_disjoint_subsets(X_te, min(2000, len(X_te) // 2), 1, 0))
        floors[ds] = (f"{ds} floor (data vs data)", u, v)
        print(f"  trained and sampled {len(mine)} {ds} runs in {time.time() - t:.0f} s", flush=True)
    return groups, floors


def apart_pairs():
    "Pairs that are clearly apart: shifted, scaled, or another data set."
    from ddpm_nb.data import load_dataset
    X = {ds: load_dataset(ds)[0] for ds in ('moons', 'circles', 'helix', 'blobs')}
    D = load_dataset('digits')[0]
    return [('moons +0.5', X['moons'][:2000] + 0.5, X['moons'][2000:4000]),
            ('moons x1.5', 1.5 * X['moons'][:2000], X['moons'][2000:4000]),
            ('moons vs circles', X['moons'][:2000], X['circles'][:2000]),
            ('circles x0.7', 0.7 * X['circles'][:2000], X['circles'][2000:4000]),
            ('helix +0.3', X['helix'][:2000] + 0.3, X['helix'][2000:4000]),
            ('helix x0.8', 0.8 * X['helix'][:2000], X['helix'][2000:4000]),
            ('blobs +1', X['blobs'][:2000] + 1, X['blobs'][2000:4000]),
            ('digits noisy 0.5', D[:800] + 0.5 * torch.randn(800, 64, generator=torch.Generator().manual_seed(0)), D[800:1600])]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--quick', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(1)
    from ddpm_nb.metrics import c2st, c2st_reference
    from scipy.stats import spearmanr
    print(f"C2ST: torch (c2st / c2st_many) against scikit-learn (c2st_reference); 500 points a side; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    groups, floors = study_pairs(a.quick)

    # 1. one call, interleaved, best of `repeat`
    print("\n1. One call, 500 a side, one thread (best of %d, interleaved)" % a.repeat)
    for what, (label, s, x) in (('2-D', groups[0][0]), ('64-D', [g for g in groups if g[0][0].startswith('digits')][0][0])):
        old, new = [], []
        for _ in range(a.repeat):
            t = time.process_time(); r_old = c2st_reference(s, x, n=500); old.append(time.process_time() - t)
            t = time.process_time(); r_new = c2st(s, x, n=500); new.append(time.process_time() - t)
        print(f"  {what:5s} {label:40s} sklearn {min(old):6.2f} s ({r_old:.3f})   torch {min(new):6.2f} s ({r_new:.3f})   "
              f"ratio {min(old) / min(new):5.1f}x   (goal in 2-D: >= 20x)", flush=True)

    # 2. the study's workload, old and new, in worker processes
    with ProcessPoolExecutor(a.workers, initializer=_init) as pool:
        t = time.time()
        new_runs = [pool.submit(_timed, 'c2st_many', ([(s, x) for _, s, x in g],), dict(n=500, seed=0)) for g in groups]
        new_floors = {ds: pool.submit(_timed, 'c2st', (u, v), dict(n=500, seed=0)) for ds, (_, u, v) in floors.items()}
        new_runs, new_floors = [f.result() for f in new_runs], {ds: f.result() for ds, f in new_floors.items()}
        wall_new = time.time() - t
        pairs = [p for g in groups for p in g] + list(floors.values()) + apart_pairs()
        torch_vals = [v for vals, _ in new_runs for v in vals] + [new_floors[ds][0] for ds in floors]
        cpu_new = sum(c for _, c in new_runs) + sum(c for _, c in new_floors.values())
        t = time.time()
        old = [pool.submit(_timed, 'c2st_reference', (s, x), dict(n=500, seed=0)) for _, s, x in pairs]
        extra_new = [pool.submit(_timed, 'c2st', (s, x), dict(n=500, seed=0)) for _, s, x in pairs[len(torch_vals):]]
        old, extra_new = [f.result() for f in old], [f.result() for f in extra_new]
        n_work = len(torch_vals)
        cpu_old = sum(c for _, c in old[:n_work])
        wall_old = time.time() - t
        torch_vals += [v for v, _ in extra_new]
        sk0 = [v for v, _ in old]
        # the reference's own seed noise, on a subset: every third study pair, the floors and the apart pairs
        sub = sorted(set(range(0, n_work - len(floors), 3)) | set(range(n_work - len(floors), len(pairs))))
        sk1 = dict(zip(sub, [f.result()[0] for f in [pool.submit(_timed, 'c2st_reference', pairs[i][1:], dict(n=500, seed=1)) for i in sub]]))
    print(f"\n2. The study's C2ST workload: {n_work - len(floors)} runs + {len(floors)} floors, 500 a side")
    print(f"  sklearn, one call at a time: {cpu_old:7.1f} CPU-s")
    print(f"  torch, c2st_many by group:   {cpu_new:7.1f} CPU-s ({wall_new:.0f} s wall on {a.workers} processes)   "
          f"ratio {cpu_old / cpu_new:.1f}x   (goal: torch <= 30 CPU-s)")
    by_ds = {}
    for (lab, _, _), c in zip([p for g in groups for p in g], [c / len(g) for (vals, c), g in zip(new_runs, groups) for _ in g]):
        by_ds.setdefault(lab.split()[0], [0., 0.])[0] += c
    for (lab, _, _), (_, c) in zip(pairs[:n_work - len(floors)], old[:n_work - len(floors)]):
        by_ds[lab.split()[0]][1] += c
    for ds, (cn, co) in by_ds.items(): print(f"    {ds:12s} torch {cn:7.1f} CPU-s   sklearn {co:7.1f} CPU-s   {co / cn:5.1f}x")

    print(f"\n3. Agreement over {len(pairs)} pairs (torch and sklearn seed 0: the same points and folds)")
    print(f"  {'pair':44s} {'torch':>6s} {'sklearn':>7s} {'sk seed1':>8s}")
    for i, (lab, _, _) in enumerate(pairs):
        print(f"  {lab:44s} {torch_vals[i]:6.3f} {sk0[i]:7.3f} {sk1[i] if i in sk1 else float('nan'):8.3f}")
    gap = np.mean([abs(torch_vals[i] - sk0[i]) for i in sub])
    noise = np.mean([abs(sk0[i] - sk1[i]) for i in sub])
    rho = spearmanr(torch_vals, sk0).statistic
    print(f"\n  over the {len(sub)} pairs with two sklearn seeds: mean |torch - sklearn| = {gap:.4f}, "
          f"mean |sklearn seed 0 - seed 1| = {noise:.4f}  -> {'PASS' if gap <= noise + 0.005 else 'FAIL'} (bar: noise + 0.005)")
    print(f"  over all {len(pairs)} pairs: mean |torch - sklearn| = {np.mean(np.abs(np.subtract(torch_vals, sk0))):.4f}, "
          f"rank correlation {rho:.4f} -> {'PASS' if rho >= 0.95 else 'FAIL'} (bar: 0.95)")


if __name__ == '__main__':
    main()
