"""Time of `ClassifierDDPM` (notebook 07_classifier) classifying all 8000 points of manycircles (8 classes), n_t = 10.

Budget: under 2 s on 2 cores, for the ε-error rule. The peer is the same computation written as a Python loop over the
classes (one forward pass per class, the same timesteps and the same shared noise), measured in the same run; the two
must give the same scores. A second line times the same loop in passes of the batched code's size, which separates the
gain of fewer Python calls from the gain of cache-sized passes. The model is `RECIPES['conditional']` (the larger network,
cosine T = 100) trained by `train_recipe` for two epochs on 2000 points (the time does not depend on how long it was
trained). Run: `python bench/bench_classifier.py [--threads 2] [--repeat 5]`.
"""
import argparse, statistics, sys, time
import torch
from ddpm_nb.data import load_dataset, N_CLASSES
from ddpm_nb.model import eval_mode
from ddpm_nb.training import RECIPES, train_recipe
from ddpm_nb.runs import torch_threads
from ddpm_nb.classifier import ClassifierDDPM

BUDGET_S = 2.0


@torch.no_grad()
def loop_scores(clf: ClassifierDDPM, x: torch.Tensor, max_rows: int | None = None) -> torch.Tensor:
    """The peer: mean ε-error per class, one forward pass per class in a Python loop (in passes of at most `max_rows`
    rows when given, as the batched code does); same timesteps and noise as `clf`."""
    model, ns = clf.model, clf.noise_scheduler
    t, eps = clf.draw_noise(len(x))                                   # [n_t], [B, n_t, d]
    B, n_t, d = eps.shape
    tt = t.expand(B, n_t).reshape(-1)
    x_t = ns.add_noise(x.repeat_interleave(n_t, 0), tt, eps.reshape(-1, d))
    out = []
    with eval_mode(model):
        for i in range(clf.n_classes):
            yy = torch.full_like(tt, i)
            step = len(tt) if max_rows is None else max_rows
            pred = torch.cat([model(x_t[j:j + step], tt[j:j + step], yy[j:j + step]) for j in range(0, len(tt), step)]).view(B, n_t, d)
            out.append(((pred - eps) ** 2).sum(-1).mean(-1))
    return torch.stack(out, 1)


def timeit(fn, repeat):
    fn()                                                              # warm-up
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return ts


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--threads', type=int, default=2, help='torch threads (default 2: the 2-core budget)')
    p.add_argument('--repeat', type=int, default=5, help='timed calls of each (default 5)')
    p.add_argument('--n_t', type=int, default=10)
    a = p.parse_args(argv)
    with torch_threads(a.threads):
        return run(a)


def run(a):
    X, y = load_dataset('manycircles')
    model, ns, _ = train_recipe(RECIPES['conditional'], X[:2000], y[:2000], n_classes=N_CLASSES['manycircles'], seed=0,
                                progress=False, epochs=2)
    clf = ClassifierDDPM(model, ns, n_t=a.n_t)
    test = torch.testing.assert_close
    test(clf.scores(X), loop_scores(clf, X), rtol=1e-4, atol=1e-5)    # the same computation
    batched = timeit(lambda: clf.predict(X), a.repeat)
    loop = timeit(lambda: loop_scores(clf, X).argmin(1), a.repeat)
    test(clf.scores(X), loop_scores(clf, X, clf.max_rows), rtol=1e-4, atol=1e-5)
    loop_chunked = timeit(lambda: loop_scores(clf, X, clf.max_rows).argmin(1), a.repeat)
    report = timeit(lambda: ClassifierDDPM(model, ns, n_t=a.n_t, method='report').predict(X), a.repeat)
    b, l, lc, r = (statistics.median(v) for v in (batched, loop, loop_chunked, report))
    print(f"manycircles: {len(X)} points, {clf.n_classes} classes, n_t = {a.n_t}, torch threads: {torch.get_num_threads()}, "
          f"model params: {model.n_params}")
    print(f"{'':32} {'median s':>9} {'min s':>8}")
    print(f"{'ClassifierDDPM eps (batched)':32} {b:9.3f} {min(batched):8.3f}")
    print(f"{'per-class Python loop (peer)':32} {l:9.3f} {min(loop):8.3f}")
    print(f"{'per-class loop, same chunks':32} {lc:9.3f} {min(loop_chunked):8.3f}")
    print(f"{'ClassifierDDPM report (batched)':32} {r:9.3f} {min(report):8.3f}")
    print(f"ratio loop / batched: {l / b:.2f}x (loop with the same {clf.max_rows}-row passes / batched: {lc / b:.2f}x);  "
          f"budget {BUDGET_S} s: {'OK' if b < BUDGET_S else 'OVER'}")
    return 0 if b < BUDGET_S else 1


if __name__ == '__main__':
    sys.exit(main())
