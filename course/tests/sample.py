ns = NoiseScheduler(20, beta_start=1e-3, beta_end=0.3)
m = DDPM(n_dim=2, n_steps=20)
xs = sample(m, 7, ns)
assert tuple(xs.shape) == (7, 2)
print(xs)
### BEGIN HIDDEN TESTS
d = lambda v: torch.as_tensor(v).double()
# one step (T = 1): x_0 = (x_T - β/√(1-ᾱ) ε_θ(x_T, 0)) / √α, no noise
ns1 = NoiseScheduler.from_betas([0.3])
m1 = DDPM(n_dim=2, n_steps=1)
x_T = torch.randn(9, 2)
with torch.no_grad(): e = d(m1(x_T, torch.zeros(9, dtype=torch.long)))
assert torch.allclose(d(sample(m1, 9, ns1, x_T=x_T)), (d(x_T) - 0.3 / 0.3 ** 0.5 * e) / 0.7 ** 0.5, atol=1e-5)
chain = sample(m, 5, ns, return_intermediate=True, x_T=torch.zeros(5, 2))
assert tuple(chain.shape) == (21, 5, 2) and float(d(chain[0]).abs().max()) == 0.0     # x_T, ..., x_0
# the whole chain, T steps from t = T-1 down to 0: with the exact ε of Gaussian data the samples are that Gaussian
mu, s = torch.tensor([0.5, -0.3]), torch.tensor([0.2, 0.6])
nsg = NoiseScheduler(100, 'linear', beta_start=1e-3, beta_end=0.1)
torch.manual_seed(0)
xs = d(sample(GaussianEps(mu, s, nsg), 20_000, nsg))
assert torch.allclose(xs.mean(0), d(mu), atol=0.03) and torch.allclose(xs.std(0), d(s), atol=0.03), (xs.mean(0), xs.std(0))
### END HIDDEN TESTS
