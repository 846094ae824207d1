ns = NoiseScheduler(10, beta_start=1e-3, beta_end=0.2)
cm = ConditionalDDPM(n_dim=2, n_steps=10, n_classes=3)
clf = ClassifierDDPM(cm, ns, n_t=5)
x = torch.randn(6, 2)
assert tuple(clf.scores(x).shape) == (6, 3) and tuple(clf.predict(x).shape) == (6,)
print(clf.predict(x))
### BEGIN HIDDEN TESTS
d = lambda v: torch.as_tensor(v).double()
torch.manual_seed(0)
b, n_t = 4, 3
xs, tt, ee = torch.randn(b, 2), torch.tensor([1, 5, 8]), torch.randn(b, n_t, 2)
for method in ('eps', 'report'):
    clf = ClassifierDDPM(cm, ns, n_t=n_t, method=method, scale=2.0)
    want = torch.zeros(b, 3, dtype=torch.float64)
    with torch.no_grad():
        for i in range(b):
            for j in range(n_t):
                x_t = ns.add_noise(xs[i:i + 1], tt[j:j + 1], ee[i, j][None])
                e_null = d(cm(x_t, tt[j:j + 1], torch.tensor([3])))
                for k in range(3):
                    e_k = d(cm(x_t, tt[j:j + 1], torch.tensor([k])))
                    if method == 'eps': want[i, k] += ((e_k - d(ee[i, j])) ** 2).sum() / n_t     # mean over t of ‖ε - ε_θ‖²
                    else: want[i, k] += ((e_k - e_null) ** 2).sum()                             # Δ_k: Σ_t ‖ε_θ(k) - ε_θ(∅)‖²
        got = d(clf._chunk_scores(xs, tt, ee))
    assert tuple(got.shape) == (b, 3) and torch.allclose(got, want, atol=1e-5), method
    s = torch.randn(5, 3)
    sign = -1.0 if method == 'eps' else 1.0                             # error: lower is better (argmin); Δ: argmax
    prior = torch.tensor([0.5, 0.3, 0.2]); clf.class_prior = prior
    assert torch.allclose(d(clf.logits_from_scores(s)), d(sign * 2.0 * s + prior.log()), atol=1e-5), method
    assert torch.allclose(d(clf.logits_from_scores(s, 3.0)), d(sign * 3.0 * s + prior.log()), atol=1e-5), method
### END HIDDEN TESTS
