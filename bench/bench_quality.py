"""Sample quality and likelihood of the report's recipe and the recommended one (`RECIPES['large']`), on every data set.

    python bench/bench_quality.py [--sets moons circles ...] [--seeds 0 1 2] [--recipes report large]
                                  [--jobs 1] [--csv results/bench_quality.csv] [--table-only] [--course-sizes]

Each 2-D/3-D set is drawn at 32 000 points (`load_dataset(name, n_samples=N_TOY)`; digits: all 1797) and split half and
half (seed 0): the model trains on one half, 16 000 points, the size `RECIPES['large']`'s epochs are set for (with 4000 the
swiss roll's EMD is limited by its training points: notebook `03_training`; on digits' 899 training points the recipe
keeps its 43 750 steps in 5469 epochs: `recipe_epochs`); 5 x n samples, drawn with the recipe's own
sampler (`RECIPES['large']` clips x̂_0 to [-1, 1]: notebook `04_sampling`), are compared with n held-out points at a time
(n = 2000; digits: n = 449, half its held-out half), and every floor comes from two disjoint n-point subsets of the
held-out half (`ddpm_nb.metrics.evaluate_samples`, k = 5). One row per (recipe, set, seed):

- EMD / floor, and C2ST (sbibm's classifier two-sample test, n points a side; 0.5 = indistinguishable) with its floor
  (two disjoint held-out subsets);
- the exact NLL of the probability-flow ODE and the variational bound of the ancestral chain, both in nats per dimension on
  the first 1000 held-out points (`ddpm_nb.likelihood`; digits: Hutchinson's divergence, 2 probes), and the data's
  reference: a Gaussian KDE fitted on the training half, bandwidth by 5-fold cross-validation, scored on the held-out half;
- the training time (wall clock, one torch thread, with the 1-minute load average when training started).

Beside the two recipes, the row `data` scores no model: the training half's own points stand in for samples (each of the
k comparisons draws n of them without replacement, seeded by the row's seed), scored exactly as a model's samples are.
They are draws from the true distribution, so this row is what a perfect model would score: the EMD ratio a recipe can
hope for on that set, and how much one evaluation of it varies from seed to seed (the floor is one estimate, from one
held-out half).

For digits it also saves an image grid, 32 samples beside 32 held-out digits, as `bench_digits_RECIPE_seedS.png` next to
`--csv` (`ddpm_nb.sampling.plot_beside`).

Rows are merged into `--csv` as they finish (`runs.write_rows` with the key (recipe, dataset, seed)), so the bench can run
in parts (`--sets`, `--seeds`, `--recipes`), in parallel processes (`--jobs`), or on several machines; `--table-only`
prints the table of what the file holds. The table shows the mean over seeds (± standard deviation). Bars (issue 10):
the recommended recipe reaches EMD <= 1.15 x floor and C2ST <= 0.53 on every 2-D and 3-D set (mean of 3 seeds); digits'
goal is EMD <= 1.5 x floor. Exits with status 1 if a bar is missed on the sets in the table.

`--course-sizes` scores the recipes at the sizes of the course's own data files instead (issue 22): each 2-D/3-D set at its
`load_dataset` size (8000 points; helix 10 000), split 80/20 (seed 0), so the model trains on 6400 (helix 8000) points and
n = 800 (helix 1000) held-out points face n samples at a time. Its rows go to their own file
(`results/bench_quality_course.csv` by default), with one more column, `memorisation`: the median distance from a sample
to its nearest training point over the median distance from a held-out point to its nearest training point (about 1: the
samples are no closer to the training points than new data is; well below 1: the model reproduces its training points).
"""
from __future__ import annotations
import argparse, math, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOY_SETS = ('moons', 'circles', 'manycircles', 'blobs', 'helix', 'swissroll', 'checkerboard')
SETS = TOY_SETS + ('digits',)
RECIPE_NAMES = ('data', 'report', 'large')     # 'data': the training points as samples (no model)
N_EVAL, K_EVAL, N_LIK = 2000, 5, 1000
N_TOY = 32_000          # points drawn of each 2-D/3-D set: 16 000 to train on, 16 000 held out
EMD_BAR, C2ST_BAR, DIGITS_GOAL = 1.15, 0.53, 1.5
COLUMNS = ('recipe', 'dataset', 'seed', 'n_train', 'n', 'emd', 'emd_floor', 'emd_ratio', 'c2st', 'c2st_floor',
           'ode_nll', 'ode_nll_se', 'vlb', 'kde_ref_nll', 'kde_bandwidth', 'train_s', 'load_1min', 'threads', 'host')
COURSE_COLUMNS = COLUMNS + ('memorisation',)
"The columns of `--course-sizes` rows: the same, and the memorisation ratio."
COURSE_TEST_FRAC = 0.2
KEY = ('recipe', 'dataset', 'seed')

_CACHE: dict = {}

def _set_cache(name, course: bool = False):
    """The split, the floor and the KDE reference of a data set: computed once per process. `course`: at the course's size
    (`load_dataset`'s own) and split (80/20), else N_TOY points split half and half."""
    if (name, course) not in _CACHE:
        from ddpm_nb.data import load_dataset, train_test_split
        from ddpm_nb.metrics import floors
        from ddpm_nb.likelihood import kde_reference_nll
        X, y = load_dataset(name, n_samples=None if name == 'digits' or course else N_TOY)
        X_tr, X_te, _, _ = train_test_split(X, y, test_frac=COURSE_TEST_FRAC if course else 0.5, seed=0)
        _CACHE[name, course] = dict(X_tr=X_tr, X_te=X_te, floor=floors(X_te, N_EVAL, K_EVAL, seed=0),
                            ref=kde_reference_nll(X_tr, X_te))
    return _CACHE[name, course]

def memorisation(samples, X_train, X_test) -> float:
    """Median distance from a sample to its nearest training point over the median distance from a held-out point to its
    nearest training point: about 1 when the samples are no closer to the training set than fresh data; below 1 when they
    copy training points."""
    import torch
    nearest = lambda A: torch.cat([torch.cdist(a, X_train.double()).min(1).values for a in A.double().split(2048)])
    return (nearest(samples).median() / nearest(X_test).median()).item()

def run_one(job) -> dict:
    """Train recipe `job[0]` on set `job[1]` with seed `job[2]` at one torch thread (weights saved into folder `job[3]`
    unless it is None); score it; return its row. For digits, save the image grid into folder `job[4]`."""
    recipe, name, seed, save, figdir, course = job
    import torch
    torch.set_num_threads(1)
    if recipe == 'data': return _data_row(name, seed, course)
    from ddpm_nb.training import RECIPES, train_recipe
    from ddpm_nb.sampling import sample
    from ddpm_nb.metrics import evaluate_samples
    from ddpm_nb.likelihood import ode_nll, vlb
    c = _set_cache(name, course)
    X_tr, X_te, floor = c['X_tr'], c['X_te'], c['floor']
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    model, ns, _ = train_recipe(RECIPES[recipe], X_tr, seed=seed, progress=False)
    t_train = time.perf_counter() - t0
    if save: Path(save).mkdir(parents=True, exist_ok=True); torch.save(model.state_dict(), Path(save) / f"{recipe}_{name}_{seed}.pt")
    xs = sample(model, floor['n'] * K_EVAL, ns, seed=seed)              # with the recipe's bound on x̂_0, if it has one
    m = evaluate_samples(xs, X_te, n=N_EVAL, k=K_EVAL, seed=0, floor=floor)
    if name == 'digits':
        from ddpm_nb.sampling import plot_beside
        fig = plot_beside(X_te, xs, samples_title=f"RECIPES['{recipe}'], seed {seed}",
                          suptitle=f"digits: EMD/floor {m['emd_ratio']:.2f}, C2ST {m['c2st']:.3f}", figsize=(9, 5))
        fig.savefig(Path(figdir) / f"bench_digits_{recipe}_seed{seed}.png", dpi=90)
    X_lik = X_te[:N_LIK]
    o = ode_nll(model, ns, X_lik, seed=seed)
    return dict(recipe=recipe, dataset=name, seed=seed, n_train=len(X_tr), n=m['n'], emd=m['emd'], emd_floor=m['emd_floor'],
                emd_ratio=m['emd_ratio'], c2st=m['c2st'], c2st_floor=m['c2st_floor'], ode_nll=o['nll'],
                ode_nll_se=math.hypot(o['nll_se'], o['hutchinson_se']), vlb=vlb(model, ns, X_lik, seed=seed),
                kde_ref_nll=c['ref']['nll'], kde_bandwidth=c['ref']['bandwidth'], train_s=round(t_train, 1),
                load_1min=round(load, 2), threads=1, host=os.uname().nodename, memorisation=memorisation(xs, X_tr, X_te))

def _data_row(name, seed, course: bool = False) -> dict:
    "The `data` row: the training half's own points scored as samples, the reference a perfect model would reach."
    from ddpm_nb.metrics import evaluate_samples
    c = _set_cache(name, course)
    m = evaluate_samples(c['X_tr'], c['X_te'], n=N_EVAL, k=K_EVAL, seed=seed, floor=c['floor'])
    return dict(recipe='data', dataset=name, seed=seed, n_train=len(c['X_tr']), n=m['n'], emd=m['emd'], emd_floor=m['emd_floor'],
                emd_ratio=m['emd_ratio'], c2st=m['c2st'], c2st_floor=m['c2st_floor'], ode_nll=math.nan, ode_nll_se=math.nan,
                vlb=math.nan, kde_ref_nll=c['ref']['nll'], kde_bandwidth=c['ref']['bandwidth'], train_s=0.,
                load_1min=round(os.getloadavg()[0], 2), threads=1, host=os.uname().nodename, memorisation=math.nan)

def table(rows, course: bool = False) -> tuple[str, bool]:
    """The table (mean ± sd over seeds per set and recipe) and whether the recommended recipe meets the bars. `course`:
    rows of `--course-sizes`, with their training points and memorisation ratio."""
    import numpy as np
    lines, ok = [], True
    head = (f"{'set':<13}{'recipe':<8}{'seeds':>5}  {'EMD/floor':>13}  {'C2ST':>13} {'floor':>6}  {'ODE NLL':>8} {'VLB':>8} "
            f"{'KDE ref':>8}  {'train s':>12} {'load':>5}" + (f"  {'n_train':>7} {'memo':>5}" if course else '') + "  bars")
    lines += [head, '-' * len(head)]
    for name in SETS:
        for recipe in RECIPE_NAMES:
            rs = [r for r in rows if r['dataset'] == name and r['recipe'] == recipe]
            if not rs: continue
            f = lambda c: np.array([float(r[c]) for r in rs])
            num = lambda v: f"{v:>8.3f}" if abs(v) < 1e4 else f"{v:>8.1e}"     # a diverging likelihood keeps its column
            ms = lambda c, p=2: f"{f(c).mean():.{p}f} ± {f(c).std(ddof=1) if len(rs) > 1 else 0:.{p}f}"
            bars = ''
            if recipe == 'large':
                e, c2 = f('emd_ratio').mean(), f('c2st').mean()
                if name in TOY_SETS:
                    good = e <= EMD_BAR and c2 <= C2ST_BAR and len(rs) >= 3
                    bars = ('PASS' if good else 'FAIL') + ('' if len(rs) >= 3 else ' (<3 seeds)')
                    ok &= good
                else: bars = f"goal {DIGITS_GOAL}: {'met' if e <= DIGITS_GOAL else 'missed'}"
            lines.append(f"{name:<13}{recipe:<8}{len(rs):>5}  {ms('emd_ratio'):>13}  {ms('c2st', 3):>13} {f('c2st_floor').mean():>6.3f}  "
                         f"{num(f('ode_nll').mean())} {num(f('vlb').mean())} {f('kde_ref_nll').mean():>8.3f}  "
                         f"{ms('train_s', 0):>12} {f('load_1min').mean():>5.1f}"
                         + (f"  {int(f('n_train').mean()):>7} {f('memorisation').mean():>5.2f}" if course else '') + f"  {bars}")
    lines.append(f"\nEMD/floor and C2ST: mean ± sd over seeds; C2ST floor = two disjoint held-out subsets. NLLs in nats/dim on "
                 f"{N_LIK} held-out points: ODE = exact probability-flow likelihood, VLB = bound of the ancestral chain without clipping x̂0 "
                 f"(the large rows sample with x̂0 clipped to [-1, 1]; notebook 05a), KDE ref = "
                 f"Gaussian KDE on the training points (bandwidth by 5-fold CV). Train s: wall clock at one torch thread, "
                 f"load = 1-minute load average when training started. Bars for 'large' on the 2-D/3-D sets: EMD <= {EMD_BAR} x floor "
                 f"and C2ST <= {C2ST_BAR} on the mean of >= 3 seeds. Recipe 'data': no model, the training half's own points "
                 f"scored as samples: what a perfect model scores."
                 + (f" Course sizes: each set at load_dataset's size, split 80/20 (n = half the held-out points); memo = median "
                    f"nearest-training-point distance of the samples over that of held-out points (1: no memorisation)." if course else ''))
    return '\n'.join(lines), ok

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sets', nargs='+', choices=SETS, default=list(SETS), metavar='SET', help=f"data sets (default: all of {', '.join(SETS)})")
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--recipes', nargs='+', choices=RECIPE_NAMES, default=list(RECIPE_NAMES))
    ap.add_argument('--jobs', type=int, default=1, help='parallel processes, each at one torch thread (default 1)')
    ap.add_argument('--csv', default=None, help='results file; rows are merged in by (recipe, dataset, seed) (default: '
                    'results/bench_quality.csv, or results/bench_quality_course.csv with --course-sizes)')
    ap.add_argument('--table-only', action='store_true', help='print the table of the rows in --csv and exit')
    ap.add_argument('--save-models', default=None, metavar='DIR', help='also save each trained state_dict into DIR')
    ap.add_argument('--course-sizes', action='store_true', help="the course's sizes: load_dataset's own (8000; helix 10 000), "
                    "split 80/20, 2-D/3-D sets only, into results/bench_quality_course.csv unless --csv is given")
    args = ap.parse_args(argv)
    if args.jobs < 1: ap.error(f"--jobs must be at least 1, got {args.jobs}")
    from ddpm_nb.runs import read_rows, write_rows, check_output_file
    course = args.course_sizes
    if args.csv is None: args.csv = str(ROOT / 'results' / ('bench_quality_course.csv' if course else 'bench_quality.csv'))
    if course: args.sets = [s for s in args.sets if s in TOY_SETS]               # digits has one size: the main table's
    columns = COURSE_COLUMNS if course else COLUMNS
    check_output_file(args.csv, 'results file')
    if not args.table_only:
        jobs = [(r, s, seed, args.save_models, str(Path(args.csv).parent), course) for s in args.sets for r in args.recipes for seed in args.seeds]
        jobs.sort(key=lambda j: (j[0] != 'large', j[1] == 'digits'))          # the long trainings first
        print(f"{len(jobs)} runs on {args.jobs} process(es), one torch thread each; results into {args.csv}", flush=True)
        if args.jobs == 1: results = map(run_one, jobs)
        else:
            import multiprocessing as mp
            pool = mp.get_context('spawn').Pool(args.jobs)
            results = pool.imap_unordered(run_one, jobs)
        for row in results:
            write_rows(args.csv, [row], columns, key=KEY)
            print(f"  {row['recipe']:<7} {row['dataset']:<13} seed {row['seed']}: EMD/floor {row['emd_ratio']:.3f}  C2ST {row['c2st']:.3f}  "
                  f"ODE NLL {row['ode_nll']:.3f}  VLB {row['vlb']:.3f}  train {row['train_s']:.0f} s (load {row['load_1min']})", flush=True)
    rows = [r for r in read_rows(args.csv, columns) if r['dataset'] in args.sets and r['recipe'] in args.recipes
            and int(r['seed']) in args.seeds]
    text, ok = table(rows, course)
    print('\n' + text)
    return 0 if ok else 1

if __name__ == '__main__':
    sys.exit(main())
