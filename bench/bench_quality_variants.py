"""Issue 22 part 4 (a diagnostic, run once: results/bench_quality_course_variants.txt): recipe variants of RECIPES['large'] on the course-size sets, scored by bench_quality's own job function.

    OMP_NUM_THREADS=1 python bench/bench_quality_variants.py VARIANT SET SEED [SEED ...] [--lik] [--extra-eval 3]

Each variant is registered in-process as a new key of ddpm_nb.training.RECIPES (nothing on disk changes) and run with
`bench_quality.run_one((variant, set, seed, models_dir, figdir, course=True))`, i.e. exactly the bench's path: the course
split `_set_cache(name, course=True)`, `train_recipe`, `sample` with the recipe's clip, `evaluate_samples(..., seed=0,
floor=...)`, `memorisation`. Without --lik the ODE NLL / VLB (not part of the bar and not affecting the other scores:
samples are drawn before them) are stubbed to NaN to save time. Rows are merged into results/bench_quality_course_variants.csv keyed by
(recipe, dataset, seed).

--extra-eval K: also re-sample the saved model with K other sampling seeds (1000+i) and score EMD/floor only (C2ST
skipped): separates the model's quality from the evaluation's draw-to-draw noise. Into results/bench_quality_course_draws.csv.
"""
import argparse, math, os, sys, time
from pathlib import Path
os.environ.setdefault('OMP_NUM_THREADS', '1')
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
torch.set_num_threads(1)
import bench_quality as bq
from ddpm_nb import training
from ddpm_nb.training import make_recipe
from ddpm_nb.model import CONFIGS
CONFIGS['deep256'] = dict(CONFIGS['deep'], hidden_dim=256)      # in-process only: width 256, 5 hidden layers
CONFIGS['deep192'] = dict(CONFIGS['deep'], hidden_dim=192)

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / 'results'
CSV, EXTRA = HERE / 'bench_quality_course_variants.csv', HERE / 'bench_quality_course_draws.csv'
MODELS = ROOT / 'build' / 'variant_models'

def steps(x):
    "RECIPES['large'] with x times its optimizer steps (epochs_for scaled: the recipe keeps epochs_for/16000 x the steps)."
    return make_recipe('large', epochs_for=round(16_000 * x))

VARIANTS = {
    'large':      lambda: make_recipe('large'),                                   # unchanged (the harness check)
    'steps1.4':   lambda: steps(1.4),
    'steps1.3':   lambda: steps(1.3),
    'steps0.5':   lambda: steps(0.5),
    'steps0.7':   lambda: steps(0.7),
    'ema9998':    lambda: make_recipe('large', ema=0.9998),
    'ema999':     lambda: make_recipe('large', ema=0.999),
    'drop60':     lambda: make_recipe('large', lr_drop=(210, 0.1)),              # drop at 60 % instead of 80 %
    'steps1.4_ema9998': lambda: make_recipe(steps(1.4), ema=0.9998),
    'ema9999':    lambda: make_recipe('large', ema=0.9999),
    'wide256_s0.5': lambda: make_recipe(steps(0.5), config='deep256'),
    'wide192_s0.7': lambda: make_recipe(steps(0.7), config='deep192'),
    'T1000':      lambda: make_recipe('large', scheduler=dict(num_timesteps=1000)),
    'lr1e-3':     lambda: make_recipe('large', lr=1e-3),
    'bs256':      lambda: make_recipe('large', batch_size=256),                  # same steps (epochs_for kept) -> 2x the samples/step
}

def register(name):
    r = VARIANTS[name]()
    training.RECIPES[name] = r
    return r

def extra_eval(name, dataset, seed, k, start=1000):
    from ddpm_nb.training import recipe_model
    from ddpm_nb.sampling import sample
    from ddpm_nb.metrics import evaluate_samples, floors
    from ddpm_nb.runs import write_rows
    c = bq._set_cache(dataset, True)
    model, ns = recipe_model(training.RECIPES[name], c['X_tr'].shape[1], None, seed)
    model.load_state_dict(torch.load(MODELS / f"{name}_{dataset}_{seed}.pt"))
    model.eval()
    fl = floors(c['X_te'], bq.N_EVAL, bq.K_EVAL, seed=0, c2st_n=0)
    assert abs(fl['emd_floor'] - c['floor']['emd_floor']) < 1e-12
    rows = []
    for i in range(start - 1000, start - 1000 + k):
        xs = sample(model, fl['n'] * bq.K_EVAL, ns, seed=1000 + i)
        m = evaluate_samples(xs, c['X_te'], n=bq.N_EVAL, k=bq.K_EVAL, seed=0, floor=fl, c2st_n=0)
        rows.append(dict(recipe=name, dataset=dataset, seed=seed, sample_seed=1000 + i, emd_ratio=m['emd_ratio'],
                         memorisation=bq.memorisation(xs, c['X_tr'], c['X_te'])))
        print(f"    extra sample seed {1000 + i}: EMD/floor {m['emd_ratio']:.3f}", flush=True)
    write_rows(str(EXTRA), rows, ('recipe', 'dataset', 'seed', 'sample_seed', 'emd_ratio', 'memorisation'),
               key=('recipe', 'dataset', 'seed', 'sample_seed'))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('variant', choices=list(VARIANTS))
    ap.add_argument('dataset', choices=bq.TOY_SETS)
    ap.add_argument('seeds', type=int, nargs='+')
    ap.add_argument('--lik', action='store_true', help='compute the ODE NLL and VLB as the bench does')
    ap.add_argument('--extra-eval', type=int, default=0)
    ap.add_argument('--extra-start', type=int, default=1000, help='first extra sampling seed')
    ap.add_argument('--eval-only', action='store_true', help='no training: only the extra draws of the saved models')
    a = ap.parse_args()
    r = register(a.variant)
    if not a.lik:
        import ddpm_nb.likelihood as L
        L.ode_nll = lambda *x, **k: dict(nll=math.nan, nll_se=math.nan, hutchinson_se=0.0)
        L.vlb = lambda *x, **k: math.nan
    from ddpm_nb.training import recipe_epochs
    from ddpm_nb.runs import write_rows
    c = bq._set_cache(a.dataset, True)
    ep, drop = recipe_epochs(r, len(c['X_tr']))
    print(f"{a.variant}: {r}\n  on {len(c['X_tr'])} points: {ep} epochs, lr_drop {drop}, "
          f"{ep * math.ceil(len(c['X_tr']) / r['batch_size'])} steps", flush=True)
    for seed in a.seeds:
        if a.eval_only:
            extra_eval(a.variant, a.dataset, seed, a.extra_eval, a.extra_start); continue
        t0 = time.perf_counter()
        row = bq.run_one((a.variant, a.dataset, seed, str(MODELS), str(HERE), True))
        row['total_s'] = round(time.perf_counter() - t0, 1)
        write_rows(str(CSV), [row], bq.COURSE_COLUMNS + ('total_s',), key=bq.KEY)
        print(f"  {a.variant} {a.dataset} seed {seed}: EMD/floor {row['emd_ratio']:.3f}  C2ST {row['c2st']:.3f}  "
              f"memo {row['memorisation']:.3f}  train {row['train_s']:.0f} s  total {row['total_s']:.0f} s "
              f"(load {row['load_1min']})", flush=True)
        if a.extra_eval:
            t0 = time.perf_counter()
            extra_eval(a.variant, a.dataset, seed, a.extra_eval, a.extra_start)
            print(f"    extra eval {time.perf_counter() - t0:.0f} s", flush=True)

if __name__ == '__main__':
    main()
