import numpy as np
b, c = linear_betas(10, 1e-4, 0.02), cosine_betas(10)
assert tuple(b.shape) == (10,) and tuple(c.shape) == (10,)
print('linear:', np.round(np.asarray(b, dtype=float)[:3], 5), ' cosine:', np.round(np.asarray(c, dtype=float)[:3], 5))
### BEGIN HIDDEN TESTS
# linear: evenly spaced from beta_start to beta_end
assert np.allclose(np.asarray(linear_betas(7, 0.1, 0.4), dtype=float), np.linspace(0.1, 0.4, 7), atol=1e-7)
assert np.allclose(np.asarray(linear_betas(3), dtype=float), [1e-4, 0.01005, 0.02], atol=1e-7)
# cosine: the product of (1 - beta) is f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2); beta clipped to max_beta
for T, s in ((20, 0.008), (50, 0.1)):
    c = np.asarray(cosine_betas(T, s), dtype=float)
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    assert c.shape == (T,)
    assert np.allclose(np.cumprod(1 - c)[:-1], (f / f[0])[1:-1], atol=1e-6)
    assert abs(c[-1] - 0.999) < 1e-6
assert abs(float(cosine_betas(20, 0.008, max_beta=0.5)[-1]) - 0.5) < 1e-6
### END HIDDEN TESTS
