"""Sample quality on moons: the larger configuration with its training recipe, and the report's own configuration.

    python bench/bench_quality.py [--seeds 0 1 2] [--threads 1]

Moons (8000 points, the course's) is split half and half: 4000 points to train on, 4000 held out, so that 2000 samples
are compared with 2000 held-out points and the floor uses two disjoint 2000-point subsets of the held-out data
(`ddpm_nb.metrics.evaluate_samples`, k = 5: each model draws 5 x 2000 samples, so that each of the 5 comparisons uses
fresh samples just as each floor draw uses fresh data). Acceptance (issue 2): the large configuration reaches
EMD(samples, held-out) <= 1.5 x the floor. Exits with status 1 if it does not.
"""
from __future__ import annotations
import argparse, sys, time
import torch
from ddpm_nb.data import load_dataset, train_test_split
from ddpm_nb.training import RECIPES, train_recipe
from ddpm_nb.sampling import sample
from ddpm_nb.metrics import evaluate_samples, vlb

# The recipes are ddpm_nb.training.RECIPES (`lr_drop=(epoch, factor)`: from that epoch on, lr is multiplied by factor).
BAR = 1.5           # EMD / floor that the large configuration must reach
N_EVAL, K_EVAL = 2000, 5

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    ap.add_argument('--threads', type=int, default=1, help='torch threads (1 is fastest for these tiny networks)')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    X, y = load_dataset('moons')
    X_train, X_test, _, _ = train_test_split(X, y, test_frac=0.5, seed=0)
    print(f"moons: {len(X_train)} train, {len(X_test)} held out; {K_EVAL} x {N_EVAL} samples, each {N_EVAL} vs {N_EVAL} held-out points, "
          f"floor from disjoint {N_EVAL}-point subsets of the held-out data, k = {K_EVAL}; torch threads = {args.threads}")
    ok = True
    for name in ('report', 'large'):                 # the two unconditional recipes compared on moons
        r = RECIPES[name]
        sched = ', '.join(f"{k}={v}" for k, v in r['scheduler'].items())
        print(f"\n[{name}] config={r['config']!r}  scheduler: {sched}  lr={r['lr']} batch={r['batch_size']} "
              f"epochs={r['epochs']} lr_drop={r['lr_drop']}")
        for seed in args.seeds:
            t0 = time.perf_counter(); model, ns, losses = train_recipe(r, X_train, seed=seed, progress=False); loss = losses[-1]; t_train = time.perf_counter() - t0
            t0 = time.perf_counter(); xs = sample(model, N_EVAL * K_EVAL, ns, seed=seed); t_sample = time.perf_counter() - t0
            t0 = time.perf_counter(); m = evaluate_samples(xs, X_test, n=N_EVAL, k=K_EVAL, seed=seed); t_eval = time.perf_counter() - t0
            bound = vlb(model, ns, X_test[:N_EVAL], seed=seed)
            print(f"  seed {seed}: params={model.n_params}  final loss={loss:.4f}  "
                  f"EMD={m['emd']:.4f} ± {m['emd_std']:.4f}  floor={m['emd_floor']:.4f} ± {m['emd_floor_std']:.4f}  "
                  f"ratio={m['emd_ratio']:.2f}  NLL={m['nll']:.4f} (floor {m['nll_floor']:.4f} ± {m['nll_floor_std']:.4f})  "
                  f"VLB={bound:.3f} nats/dim")
            print(f"           wall: train {t_train:.1f} s, sample {t_sample:.1f} s, evaluate {t_eval:.1f} s")
            if name == 'large':
                passed = m['emd_ratio'] <= BAR
                ok &= passed
                print(f"  {'PASS' if passed else 'FAIL'}: large EMD / floor = {m['emd_ratio']:.2f} "
                      f"{'<=' if passed else '>'} {BAR} (seed {seed})")
    print(f"\n{'PASS' if ok else 'FAIL'}: large configuration within {BAR} x the EMD floor on moons for seeds {args.seeds}")
    return 0 if ok else 1

if __name__ == '__main__':
    sys.exit(main())
