ns = NoiseScheduler(num_timesteps=10, type='linear', beta_start=1e-3, beta_end=0.2)
x0, eps = torch.randn(5, 2), torch.randn(5, 2)
x_t = ns.add_noise(x0, torch.tensor([0, 2, 4, 6, 9]), eps)
assert tuple(x_t.shape) == (5, 2)
print(x_t)
### BEGIN HIDDEN TESTS
d = lambda v: torch.as_tensor(v).double()
g = torch.Generator().manual_seed(0)
x0, eps = torch.randn(64, 3, generator=g), torch.randn(64, 3, generator=g)
t = torch.randint(0, 10, (64,), generator=g)
ab = d(ns.alpha_bar)[t][:, None]
got = d(ns.add_noise(x0, t, eps))
assert tuple(got.shape) == (64, 3)
assert torch.allclose(got, ab.sqrt() * d(x0) + (1 - ab).sqrt() * d(eps), atol=1e-5)   # √ᾱ_t x0 + √(1-ᾱ_t) ε
ab4 = d(ns.alpha_bar)[4]                                                                # one int t for the batch
assert torch.allclose(d(ns.add_noise(x0, 4, eps)), ab4.sqrt() * d(x0) + (1 - ab4).sqrt() * d(eps), atol=1e-5)
### END HIDDEN TESTS
