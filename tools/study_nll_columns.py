"""The study's CSV with both kernel NLLs, without running the whole study again.

`results/sweep.csv` was made by `ddpm_nb sweep --study full` when the sweep recorded one kernel NLL, the held-out KDE
NLL, as `nll` (with `nll_std`, `nll_floor`, `nll_floor_std`). The sweep now records the course's NLL (`get_nll`) as
`course_nll*` and the held-out one as `heldout_nll*`. This script gives every row of such a file both: it trains and
samples each data set's runs with the sweep's own task (`ddpm_nb.sweep._train_task`: the same networks and samples the
sweep scores; bit for bit on one machine, notebook 09a), computes both NLLs over the same k pairs of n-point subsets and
their floors as `evaluate_samples` does, checks that the held-out NLL it gets equals the file's `nll` (so the samples are
the sweep's), and writes the rows with the new columns (every other column as it was).

Usage: python tools/study_nll_columns.py OLD.csv NEW.csv [SWEEP_ROWS.csv]
(`SWEEP_ROWS.csv`: rows the new sweep itself wrote, if any, whose NLL columns are compared with these.)
"""
import csv, sys, time
import numpy as np
import torch

from ddpm_nb.experiments import study_runs
from ddpm_nb.sweep import with_settings, run_recipe, _train_task, _split, run_key, CSV_COLUMNS
from ddpm_nb.metrics import get_nll, heldout_nll, nll_floor, _paired_subsets
from ddpm_nb.runs import format_cell


def main(old_csv, out_csv, sweep_rows=None):
    torch.set_num_threads(1)
    old = list(csv.DictReader(open(old_csv)))
    by_ds = {}
    for r in with_settings(study_runs('full')): by_ds.setdefault(r['dataset'], []).append(r)
    new = {}
    for ds, rs in by_ds.items():
        t0 = time.time()
        data = (ds, float(rs[0]['test_frac']), None)
        _, X_te = _split(*data)
        n, k, tau = min(int(rs[0]['n_eval']), len(X_te) // 2), int(rs[0]['k_subsets']), float(rs[0]['temperature'])
        g = _train_task([run_recipe(r) for r in rs], [r['seed'] for r in rs], data, n, k, 1)
        cf, hf = (nll_floor(X_te, n, k, tau, 0, f) for f in (get_nll, heldout_nll))
        for j, r in enumerate(rs):
            pairs = list(_paired_subsets(g['samples'][j].double(), X_te.double(), n, k, 0))
            cn, hn = [get_nll(x, s, tau) for s, x in pairs], [heldout_nll(x, s, tau) for s, x in pairs]
            new[run_key(r)] = dict(course_nll=np.mean(cn), course_nll_std=np.std(cn), course_nll_floor=cf[0], course_nll_floor_std=cf[1],
                                   heldout_nll=np.mean(hn), heldout_nll_std=np.std(hn), heldout_nll_floor=hf[0], heldout_nll_floor_std=hf[1])
        print(f"{ds}: {len(rs)} runs trained, sampled and scored in {time.time() - t0:.0f} s", flush=True)
    worst, rows = 0., []
    for o in old:
        v = new[run_key(o)]
        for a, b in (('nll', 'heldout_nll'), ('nll_std', 'heldout_nll_std'), ('nll_floor', 'heldout_nll_floor')):
            worst = max(worst, abs(float(o[a]) - v[b]) / max(abs(float(o[a])), 1e-300))
        rows.append({c: format_cell(float(v[c])) if c in v else o.get(c, '') for c in CSV_COLUMNS})
    print(f"{len(rows)} rows; largest relative difference of the recomputed held-out NLL (mean, std, floor) from the file's nll: {worst:.1e}")
    if sweep_rows:
        part = {run_key(r): r for r in csv.DictReader(open(sweep_rows))}
        d = max((abs(float(r[c]) - new[q][c]) / abs(float(r[c])) for q, r in part.items() for c in new[q]), default=float('nan'))
        print(f"{len(part)} rows the new sweep wrote: largest relative difference of their 8 NLL columns from these {d:.1e}")
    if worst > 1e-9: raise SystemExit("the samples differ from the sweep's: not written")
    with open(out_csv, 'w', newline='') as f:
        w = csv.DictWriter(f, CSV_COLUMNS); w.writeheader(); w.writerows(rows)
    print(f"written: {out_csv}")


if __name__ == '__main__':
    main(*sys.argv[1:])
