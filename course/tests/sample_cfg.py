ns = NoiseScheduler(20, beta_start=1e-3, beta_end=0.3)
cm = ConditionalDDPM(n_dim=2, n_steps=20, n_classes=3)
xs = sampleCFG(cm, 6, ns, 2.0, 1)
assert tuple(xs.shape) == (6, 2)
print(xs)
### BEGIN HIDDEN TESTS
d = lambda v: torch.as_tensor(v).double()
# one step (T = 1), no noise, with ε = (1 + w) ε_θ(x, t, y) - w ε_θ(x, t, ∅)
ns1 = NoiseScheduler.from_betas([0.3])
torch.manual_seed(0)
cm1 = ConditionalDDPM(n_dim=2, n_steps=1, n_classes=3)
x_T = torch.randn(6, 2)
y = torch.tensor([0, 1, 2, 2, 1, 0]); t0 = torch.zeros(6, dtype=torch.long)
with torch.no_grad(): e_c, e_u = d(cm1(x_T, t0, y)), d(cm1(x_T, t0, torch.full((6,), 3)))
for w in (2.0, 0.5, -0.5):                                             # (w = 0 is sampleConditional's case)
    e = (1 + w) * e_c - w * e_u
    assert torch.allclose(d(sampleCFG(cm1, 6, ns1, w, y, x_T=x_T)), (d(x_T) - 0.3 / 0.3 ** 0.5 * e) / 0.7 ** 0.5, atol=1e-5), w
assert tuple(sampleCFG(cm, 4, ns, 1.0, 2, return_intermediate=True).shape) == (21, 4, 2)
### END HIDDEN TESTS
