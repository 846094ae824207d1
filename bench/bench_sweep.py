"""Benchmark: the batched sweep against the course's loop, in one run.

The same configurations -- moons, T in {10, 50, 100, 150, 200} x {linear, cosine, sigmoid} at beta in (0.001, 0.02),
the report's network, lr 0.01, batch 100, seed 0 -- are trained and sampled two ways:

* the course's way, one configuration after another: `train_one` (= `train` on a `TensorLoader`, Adam) then `sample`;
* the sweep's way: `train_batched` (all the networks as one batched MLP) then `sample_batched`.

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
from ddpm_nb.model import DDPM
from ddpm_nb.sampling import sample
from ddpm_nb.experiments import make_scheduler, train_one, train_batched, sample_batched, SWEEP_SCHEDULES


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--n-samples', type=int, default=None)
    a = ap.parse_args()
    if a.n_samples is None: a.n_samples = 100 * a.epochs          # the study's 10000 samples per 100 epochs
    torch.set_num_threads(1)
    X, _ = load_dataset('moons')
    X_tr = train_test_split(X, test_frac=0.25, seed=0)[0]
    configs = [(T, s) for T in (10, 50, 100, 150, 200) for s in SWEEP_SCHEDULES]
    print(f"{len(configs)} configurations (moons, {len(X_tr)} training points), {a.epochs} epochs, {a.n_samples} samples each, 1 torch thread")

    def course():
        t0 = time.perf_counter(); models, scheds, losses = [], [], []
        for T, sch in configs:
            m, ns, l = train_one(X_tr, T, sch, 0.001, 0.02, seed=0, epochs=a.epochs)
            models.append(m); scheds.append(ns); losses.append(l[-1])
        t1 = time.perf_counter()
        S = [sample(m, a.n_samples, ns, seed=0) for m, ns in zip(models, scheds)]
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, torch.tensor(losses, dtype=torch.float64), torch.stack(S)

    def batched():
        t0 = time.perf_counter(); models, scheds = [], []
        for T, sch in configs:
            scheds.append(make_scheduler(T, sch, 0.001, 0.02)); torch.manual_seed(0); models.append(DDPM(n_dim=2, n_steps=T))
        models, losses = train_batched(X_tr, models, scheds, [0] * len(configs), epochs=a.epochs)
        t1 = time.perf_counter()
        S = sample_batched(models, scheds, a.n_samples, [0] * len(configs))
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, losses[:, -1], S

    res = {'course': [], 'batched': []}
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
