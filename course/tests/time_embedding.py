emb = sinusoidal_embedding(torch.arange(5), 8)
assert tuple(emb.shape) == (5, 8)
print(emb)
### BEGIN HIDDEN TESTS
import numpy as np
def want(t, dim, max_period=10000.):
    w = max_period ** (-np.arange(dim // 2) / (dim // 2))
    a = np.asarray(t, dtype=float)[:, None] * w[None]
    return np.concatenate([np.sin(a), np.cos(a)], 1)                    # sines, then cosines
t = torch.tensor([0, 1, 7, 99])
for dim, mp in ((16, 10000.), (6, 100.)):
    got = np.asarray(sinusoidal_embedding(t, dim, max_period=mp), dtype=float)
    assert got.shape == (4, dim) and np.allclose(got, want(t, dim, mp), atol=1e-4), dim
f = torch.tensor([1.0, 0.5, 0.25])                                      # given frequencies
got = np.asarray(sinusoidal_embedding(torch.tensor([0, 3]), freqs=f), dtype=float)
a = np.array([0., 3.])[:, None] * f.numpy()[None]
assert got.shape == (2, 6) and np.allclose(got, np.concatenate([np.sin(a), np.cos(a)], 1), atol=1e-5)
### END HIDDEN TESTS
