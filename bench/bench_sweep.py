"""Benchmark: the batched sweep against the course's loop, in one run.

The same configurations -- moons, T in {10, 50, 100, 150, 200} x {linear, cosine, sigmoid} at beta in (0.001, 0.02),
the report's network, lr 0.01, batch 100, seed 0 -- are trained and sampled two ways:

* the course's way, one configuration after another: `train_recipe` (= `train` on a `TensorLoader`, Adam) then `sample`;
* the sweep's way: `ddpm_nb.batched.train_batched` (all the networks as one batched MLP) then `sample_batched`.

Each configuration is the study's recipe, `make_recipe('report', scheduler=..., epochs=...)`, trained on the study's
split (half of moons held out).

A run of the full study trains 100 epochs and draws 5 x 2000 = 10000 samples; the benchmark scales both down by the
same factor (default 5 epochs and 500 samples per configuration), so training and sampling weigh as they do in the
study. Both ways at one torch thread (the faster setting for these tiny networks on a CPU); each way is timed twice,
alternating, and the better time of each is kept. Prints seconds, runs per second and the ratios (training, sampling,
both), and checks that both ways give the same networks (final losses and samples agree to float tolerance).

Usage: python bench/bench_sweep.py [--epochs 5] [--n-samples N (default: 100 * epochs)]
"""
import argparse, time
import torch
from ddpm_nb.data import load_dataset, train_test_split
from ddpm_nb.sampling import sample
from ddpm_nb.training import make_recipe, train_recipe
from ddpm_nb.runs import torch_threads
from ddpm_nb.batched import train_batched, sample_batched
from ddpm_nb.experiments import SWEEP_SCHEDULES


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--n-samples', type=int, default=None)
    a = ap.parse_args()
    if a.n_samples is None: a.n_samples = 100 * a.epochs          # the study's 10000 samples per 100 epochs
    X, _ = load_dataset('moons')
    X_tr = train_test_split(X, test_frac=0.5, seed=0)[0]
    configs = [(T, s) for T in (10, 50, 100, 150, 200) for s in SWEEP_SCHEDULES]
    recipes = [make_recipe('report', scheduler=dict(num_timesteps=T, type=s, beta_start=0.001, beta_end=0.02), epochs=a.epochs)
               for T, s in configs]
    print(f"{len(configs)} configurations (moons, {len(X_tr)} training points), {a.epochs} epochs, {a.n_samples} samples each, 1 torch thread")

    def course():
        t0 = time.perf_counter(); models, scheds, losses = [], [], []
        for r in recipes:
            m, ns, l = train_recipe(r, X_tr, seed=0, progress=False)
            models.append(m); scheds.append(ns); losses.append(l[-1])
        t1 = time.perf_counter()
        S = [sample(m, a.n_samples, ns, seed=0) for m, ns in zip(models, scheds)]
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, torch.tensor(losses, dtype=torch.float64), torch.stack(S)

    def batched():
        t0 = time.perf_counter()
        models, scheds, losses = train_batched(recipes, X_tr, [0] * len(configs))
        t1 = time.perf_counter()
        S = sample_batched(models, scheds, a.n_samples, [0] * len(configs))
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, losses[:, -1], S

    res = {'course': [], 'batched': []}
    with torch_threads(1):
        for _ in range(2):
            for name, fn in (('course', course), ('batched', batched)): res[name].append(fn())
    best = {k: (min(r[0] for r in v), min(r[1] for r in v)) for k, v in res.items()}
    for k, (tr, sa) in best.items():
        print(f"  {k:8s} train {tr:7.2f} s   sample {sa:6.2f} s   total {tr + sa:7.2f} s   {len(configs) / (tr + sa):6.2f} runs/s")
    (ct, cs), (bt, bs) = best['course'], best['batched']
    dl = (res['course'][0][2] - res['batched'][0][2]).abs().max().item()
    ds = ((res['course'][0][3] - res['batched'][0][3]).abs() / (1 + res['course'][0][3].abs())).max().item()
    print(f"same networks: max |final loss difference| = {dl:.2e}, max relative sample difference = {ds:.2e}")
    print(f"ratio (course-style loop time / batched sweep time): training {ct / bt:.1f}x, sampling {cs / bs:.1f}x, "
          f"training + sampling {(ct + cs) / (bt + bs):.1f}x")


if __name__ == '__main__':
    main()
