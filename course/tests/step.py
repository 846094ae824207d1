ns = NoiseScheduler(num_timesteps=10, beta_start=1e-3, beta_end=0.2)
x, e = torch.randn(4, 2), torch.randn(4, 2)
x_prev = ns.step(e, 5, x)
assert tuple(x_prev.shape) == (4, 2)
print(x_prev)
### BEGIN HIDDEN TESTS
d = lambda v: torch.as_tensor(v).double()
g = torch.Generator().manual_seed(1)
x, e, z = (torch.randn(32, 2, generator=g) for _ in range(3))
b, a, ab = d(ns.betas), d(ns.alphas), d(ns.alpha_bar)
abp = torch.cat([torch.ones(1, dtype=torch.float64), ab[:-1]])
mean = lambda t: (d(x) - b[t] / (1 - ab[t]).sqrt() * d(e)) / a[t].sqrt()             # Ho et al., Algorithm 2
var = lambda t: b[t] * (1 - abp[t]) / (1 - ab[t])                                     # the posterior variance β̃_t
for t in (9, 4, 1):
    assert torch.allclose(d(ns.step(e, t, x, noise=z)), mean(t) + var(t).sqrt() * d(z), atol=1e-4), t
assert torch.allclose(d(ns.step(e, 0, x, noise=z)), mean(0), atol=1e-4)             # no noise at t = 0
n = 40_000                                                                            # drawn noise: its spread is √β̃_t
xs = d(ns.step(torch.zeros(n, 1), 5, torch.zeros(n, 1)))
assert abs(float(xs.std()) / float(var(5).sqrt()) - 1) < 0.03 and abs(float(xs.mean())) < 0.03 * float(var(5).sqrt())
### END HIDDEN TESTS
