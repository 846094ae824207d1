"""Benchmark: the library's hot loops against bare loops doing the same arithmetic, in one run.

Two jobs, each done two ways:

* training: `train_recipe('large', X)` (the deep network, cosine T = 500, Adam lr 2e-3, batch 128, EMA 0.9995, the
  recipe's lr drop moved with the epochs) for a few epochs on moons' 16 000 points, against a bare loop: the same
  network and scheduler (`recipe_model`), the same shuffling, t and ε draws, loss, multi-tensor Adam, lr drop and EMA
  arithmetic (θ̄ ← lerp(θ̄, θ, 1 - decay) over the parameter list gathered once, with diffusers' warm-up), written as
  a plain PyTorch loop with no checks and no lookups it could hoist (it sums the epoch's loss with `loss.item()`, as
  course code does);
* sampling: `sample(model, 10 000, ns)` with that network (the recipe's clipped ancestral chain, 500 steps), against a
  bare reverse loop doing the same step (x̂0 clipped to ±1, the posterior mean, σ = √β̃_t, no noise at t = 0).

The two ways run interleaved (library, bare, library, bare, ...), `--repeat` times each (default 3), the best time of
each kept, at one torch thread. Prints the times and the ratios bare / library (1.0: the library costs nothing over the
bare loop; the goal is >= 0.9), and whether the two ways gave the same numbers (they should be bit-identical: the same
arithmetic in the same order). `--hog` runs a CPU hog (one busy process per core) during the measurement, the
condition of a shared machine. Within each repeat the order alternates (library first, then bare first).

The timings measure the loops, not glibc's allocator: left at its defaults, malloc hands freed memory of these
megabyte-sized tensors back to the system and takes it again, and the loop that runs after the other one then pays for
page faults on first touch (seen as 2.5x slower ReLU and bias copies, same operations and counts, whichever loop ran
first). The benchmark therefore re-runs itself with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ set high, so
that both loops reuse memory; `--malloc-default` keeps the defaults.

Usage: python bench/bench_loops.py [--epochs 3] [--n-data 16000] [--n-samples 10000] [--repeat 3] [--hog] [--jobs train sample]
       [--malloc-default]
"""
import argparse, math, multiprocessing as mp, os, sys, time
import torch
import torch.nn.functional as F
from ddpm_nb.data import load_dataset
from ddpm_nb.training import make_recipe, recipe_model, recipe_epochs, train_recipe
from ddpm_nb.sampling import sample

RECIPE = 'large'


def bare_train(X, epochs: int, seed: int = 0):
    "The bare training loop: `train_recipe(RECIPE, X, seed=seed, epochs=epochs)`'s arithmetic, written out."
    r = make_recipe(RECIPE)
    _, (drop_epoch, drop_factor) = recipe_epochs(r, len(X), epochs)
    model, ns = recipe_model(r, X.shape[1], seed=seed)
    net, lin = model.model, model.time_embed.lin
    half = model.sin_dim // 2
    freqs = torch.exp(-math.log(10000.) * torch.arange(half, dtype=torch.float32) / half)
    sab, s1mab = ns.sqrt_alpha_bar, ns.sqrt_one_minus_alpha_bar
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=r['lr'], foreach=True)
    torch.manual_seed(seed)
    gen, order_gen = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    T, B, n = len(ns), r['batch_size'], len(X)
    avg, n_avg = None, 0
    losses = []
    model.train()
    for epoch in range(epochs):
        if epoch == drop_epoch:
            for group in opt.param_groups: group['lr'] *= drop_factor
        idx = torch.randperm(n, generator=order_gen)
        total = 0.0
        for i in range(math.ceil(n / B)):
            x0 = X[idx[i * B:(i + 1) * B]]
            t = torch.randint(0, T, (len(x0),), generator=gen)
            eps = torch.randn(x0.shape, generator=gen)
            x_t = sab[t].reshape(-1, 1) * x0 + s1mab[t].reshape(-1, 1) * eps
            args = t.float()[:, None] * freqs[None]
            emb = F.relu(lin(torch.cat([torch.sin(args), torch.cos(args)], dim=-1)))
            loss = F.mse_loss(net(torch.cat([x_t, emb], dim=-1)), eps)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if avg is None: avg = [p.detach().clone() for p in params]
            else:
                decay = min(r['ema'], (1 + n_avg) / (10 + n_avg))
                torch._foreach_lerp_(avg, params, 1 - decay)
            n_avg += 1
            total += loss.item() * len(x0)
        losses.append(total / n)
    model.eval()
    with torch.no_grad():
        for p, a in zip(params, avg): p.copy_(a)
    return model, ns, losses


@torch.no_grad()
def bare_sample(model, ns, n_samples: int, seed: int = 0):
    "The bare reverse loop: `sample(model, n_samples, ns, seed=seed)`'s arithmetic (clipped x̂0, posterior σ), written out."
    net, lin = model.model, model.time_embed.lin
    half = model.sin_dim // 2
    freqs = torch.exp(-math.log(10000.) * torch.arange(half, dtype=torch.float32) / half)
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn((n_samples, model.n_dim), generator=gen)
    c = ns.clip
    for t in range(len(ns) - 1, -1, -1):
        tt = torch.full((n_samples,), t, dtype=torch.long)
        args = tt.float()[:, None] * freqs[None]
        emb = F.relu(lin(torch.cat([torch.sin(args), torch.cos(args)], dim=-1)))
        eps = net(torch.cat([x, emb], dim=-1))
        x0 = ((x - ns.sqrt_one_minus_alpha_bar[t] * eps) / ns.sqrt_alpha_bar[t]).clamp(-c, c)
        mean = ns.posterior_mean_coef1[t] * x0 + ns.posterior_mean_coef2[t] * x
        if t == 0: x = mean
        else: x = mean + ns.posterior_variance[t].sqrt() * torch.randn(x.shape, generator=gen)
    return x


def _spin():
    while True: pass


def start_hog():
    "One busy process per core (killed by `stop_hog`)."
    ctx = mp.get_context('spawn')
    procs = [ctx.Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 1)]
    for p in procs: p.start()
    return procs


def stop_hog(procs):
    for p in procs: p.terminate()
    for p in procs: p.join()


def timed(fn):
    t0 = time.perf_counter(); out = fn(); return time.perf_counter() - t0, out


def same(a, b) -> str:
    if torch.equal(a, b): return 'bit-identical'
    return f'differ: max |diff| {(a - b).abs().max().item():.3g}'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--n-data', type=int, default=16_000)
    ap.add_argument('--n-samples', type=int, default=10_000)
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--hog', action='store_true', help='a busy process on every core during the measurement')
    ap.add_argument('--jobs', nargs='+', choices=['train', 'sample'], default=['train', 'sample'], help='which loops to time')
    ap.add_argument('--malloc-default', action='store_true', help="leave glibc's malloc at its defaults (see above)")
    a = ap.parse_args()
    if not a.malloc_default and os.environ.get('MALLOC_TRIM_THRESHOLD_') is None:
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_=str(2 ** 31 - 1), MALLOC_TRIM_THRESHOLD_=str(2 ** 31 - 1))
        os.execve(sys.executable, [sys.executable, *sys.argv], env)          # malloc reads them at start-up only
    torch.set_num_threads(1)
    X, _ = load_dataset('moons', n_samples=a.n_data)
    jobs = {
        'train': (lambda: train_recipe(RECIPE, X, seed=0, progress=False, epochs=a.epochs), lambda: bare_train(X, a.epochs)),
        'sample': (lambda: sample(model, a.n_samples, ns, seed=0), lambda: bare_sample(model, ns, a.n_samples)),
    }
    jobs = {k: v for k, v in jobs.items() if k in a.jobs}
    steps = a.epochs * math.ceil(a.n_data / make_recipe(RECIPE)['batch_size'])
    print(f"{RECIPE!r} recipe: train {a.epochs} epochs on {a.n_data} moons points ({steps} steps, EMA on), "
          f"sample {a.n_samples} points (T = {make_recipe(RECIPE)['scheduler']['num_timesteps']}); one torch thread, "
          f"best of {a.repeat}, interleaved; {os.cpu_count()} CPUs, {'with a CPU hog on every core' if a.hog else 'no hog'}; "
          f"malloc {'defaults' if a.malloc_default else 'keeps freed memory'}")
    hog = start_hog() if a.hog else None
    try:
        load0 = os.getloadavg()[0]
        best, outs = {}, {}
        model = ns = None
        if 'train' not in jobs: model, ns = train_recipe(RECIPE, X, seed=0, progress=False, epochs=a.epochs)[:2]
        for job, (lib, bare) in jobs.items():
            for rep in range(a.repeat):
                for way, fn in ((('library', lib), ('bare', bare)) if rep % 2 == 0 else (('bare', bare), ('library', lib))):
                    s, out = timed(fn)
                    best[job, way] = min(best.get((job, way), math.inf), s)
                    outs[job, way] = out
            if job == 'train': model, ns = outs['train', 'library'][:2]
        load1 = os.getloadavg()[0]
    finally:
        if hog: stop_hog(hog)
    print(f"\n{'job':8s} {'library s':>10s} {'bare s':>10s} {'bare/library':>13s}   same numbers?")
    for job in jobs:
        lib_s, bare_s = best[job, 'library'], best[job, 'bare']
        if job == 'train':
            (m_l, _, l_l), (m_b, _, l_b) = outs[job, 'library'], outs[job, 'bare']
            check = [same(v, m_b.state_dict()[k]) for k, v in m_l.state_dict().items()]
            check = check[0] if len(set(check)) == 1 else '; '.join(sorted(set(check)))
            check = f"weights {check}, losses {'equal' if l_l == l_b else f'{l_l} vs {l_b}'}"
        else: check = f"samples {same(outs[job, 'library'], outs[job, 'bare'])}"
        print(f"{job:8s} {lib_s:10.2f} {bare_s:10.2f} {bare_s / lib_s:12.2f}x   {check}")
    print(f"load average (1 min) {load0:.2f} at the start, {load1:.2f} at the end; goal: bare/library >= 0.9 for both")


if __name__ == '__main__':
    main()
