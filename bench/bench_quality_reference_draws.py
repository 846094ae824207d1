"""Issue 22 part 4 (a diagnostic: results/bench_quality_reference_draws.txt). The 'data' row under the model rows' protocol: 4000 training points (a fresh random subset per draw) scored as
samples with evaluate_samples(..., seed=0, floor=the bench's), i.e. the same held-out subsets every model row uses.
What a model that reproduces its training distribution exactly scores; 20 draws per set.

    OMP_NUM_THREADS=1 python bench/bench_quality_reference_draws.py
"""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch; torch.set_num_threads(1)
import numpy as np, bench_quality as bq
from ddpm_nb.metrics import evaluate_samples, floors
for name in bq.TOY_SETS:
    c = bq._set_cache(name, True); X_tr, X_te = c['X_tr'], c['X_te']
    fl = floors(X_te, bq.N_EVAL, bq.K_EVAL, seed=0, c2st_n=0)
    r = []
    for s in range(20):
        idx = torch.randperm(len(X_tr), generator=torch.Generator().manual_seed(s))[:fl['n'] * bq.K_EVAL]
        r.append(evaluate_samples(X_tr[idx], X_te, n=bq.N_EVAL, k=bq.K_EVAL, seed=0, floor=fl, c2st_n=0)['emd_ratio'])
    r = np.array(r)
    # chance that the mean of 3 such draws is <= 1.15
    rng = np.random.default_rng(0); m3 = rng.choice(r, (20000, 3)).mean(1)
    print(f"{name:<13} data-as-samples, eval seed 0: {r.mean():.3f} ± {r.std(ddof=1):.3f} (min {r.min():.2f}, max {r.max():.2f}); "
          f"P(3-draw mean <= 1.15) ≈ {np.mean(m3 <= 1.15):.2f}", flush=True)
