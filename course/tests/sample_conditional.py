ns = NoiseScheduler(20, beta_start=1e-3, beta_end=0.3)
cm = ConditionalDDPM(n_dim=2, n_steps=20, n_classes=3)
xs = sampleConditional(cm, 6, ns, 1)
assert tuple(xs.shape) == (6, 2)
print(xs)
### BEGIN HIDDEN TESTS
d = lambda v: torch.as_tensor(v).double()
# one step (T = 1), no noise: x_0 = (x_T - β/√(1-ᾱ) ε_θ(x_T, 0, y)) / √α
ns1 = NoiseScheduler.from_betas([0.3])
torch.manual_seed(0)
cm1 = ConditionalDDPM(n_dim=2, n_steps=1, n_classes=3)
x_T = torch.randn(6, 2)
for y in (torch.tensor([0, 1, 2, 2, 1, 0]), 2):
    with torch.no_grad(): e = d(cm1(x_T, torch.zeros(6, dtype=torch.long), torch.as_tensor(y).expand(6)))
    assert torch.allclose(d(sampleConditional(cm1, 6, ns1, y, x_T=x_T)), (d(x_T) - 0.3 / 0.3 ** 0.5 * e) / 0.7 ** 0.5, atol=1e-5), y
chain = sampleConditional(cm, 4, ns, 0, return_intermediate=True)
assert tuple(chain.shape) == (21, 4, 2)
### END HIDDEN TESTS
