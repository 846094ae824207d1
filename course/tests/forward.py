m = DDPM(n_dim=2, n_steps=10)
out = m(torch.randn(3, 2), torch.tensor([0, 4, 9]))
assert tuple(out.shape) == (3, 2)
print(out)
### BEGIN HIDDEN TESTS
torch.manual_seed(0)
m = DDPM(n_dim=3, n_steps=10, t_dim=4)
x, t = torch.randn(6, 3), torch.randint(0, 10, (6,))
with torch.no_grad():
    got = m(x, t)
    assert tuple(got.shape) == (6, 3)
    assert torch.allclose(got, m.model(torch.cat([x, m.time_embed(t)], -1)), atol=1e-6)   # [x, time embedding] → MLP
    assert torch.allclose(m(x, 4), m.model(torch.cat([x, m.time_embed(torch.full((6,), 4))], -1)), atol=1e-6)  # one int t
### END HIDDEN TESTS
