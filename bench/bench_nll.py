"""Benchmark: the course's NLL, `get_nll`, against loops of its formula, on 2000 × 2000 points (2-D), in one run.

Two loops, both written from the formula (for each sample s, the mean over the data x of the kernel
(2πτ)^(-d/2) exp(-‖s - x‖² / (4τ)); the mean of that over the samples; -log of the result):

1. **literal**: a Python loop over the samples and, inside it, over the data points (plain floats, `math.exp`);
2. **per sample**: a Python loop over the samples, numpy over the data points.

Both must agree with `get_nll` to 1e-10 relative. Prints the times (best of `--repeat` for the fast ones), the ratios and
the bar (`get_nll` at least 20× faster than the literal loop). One torch thread. Usage: python bench/bench_nll.py
[--n 2000] [--repeat 5]
"""
import argparse, math, os, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np
import torch


def literal_loop(data, samples, temperature=0.1):
    d, total = len(data[0]), 0.
    for s in samples:
        k = 0.
        for x in data: k += math.exp(-sum((si - xi) ** 2 for si, xi in zip(s, x)) / (4 * temperature))
        total += k / len(data) / (2 * math.pi * temperature) ** (d / 2)
    return -math.log(total / len(samples))


def per_sample_loop(data, samples, temperature=0.1):
    d, total = data.shape[1], 0.
    for s in samples: total += (np.exp(-((s - data) ** 2).sum(1) / (4 * temperature)) / (2 * np.pi * temperature) ** (d / 2)).mean()
    return -math.log(total / len(samples))


def best(f, repeat):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return out, min(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=2000)
    ap.add_argument('--repeat', type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(1)
    from ddpm_nb.data import load_dataset
    from ddpm_nb.metrics import get_nll
    X, _ = load_dataset('moons', n_samples=2 * a.n, seed=0)
    data, samples = X[:a.n].double().numpy(), (X[a.n:] + 0.05 * torch.randn(a.n, 2, generator=torch.Generator().manual_seed(0))).double().numpy()
    v, t_new = best(lambda: get_nll(data, samples), a.repeat)
    w, t_ps = best(lambda: per_sample_loop(data, samples), a.repeat)
    dl, sl = data.tolist(), samples.tolist()
    u, t_lit = best(lambda: literal_loop(dl, sl), 1)
    print(f"{a.n} x {a.n} points, 2-D, one thread; load average {os.getloadavg()[0]:.2f}")
    print(f"  get_nll          {t_new * 1e3:9.1f} ms   {v:.15f}")
    print(f"  per-sample loop  {t_ps * 1e3:9.1f} ms   {w:.15f}   ratio {t_ps / t_new:6.1f}x")
    print(f"  literal loop     {t_lit * 1e3:9.1f} ms   {u:.15f}   ratio {t_lit / t_new:6.1f}x (bar: >= 20x)")
    rel = max(abs(v - u), abs(v - w)) / abs(u)
    print(f"  largest relative difference {rel:.1e} (bar: <= 1e-10)")
    ok = t_lit / t_new >= 20 and rel <= 1e-10
    print('PASS' if ok else 'FAIL')
    return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
