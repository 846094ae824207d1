cm = ConditionalDDPM(n_dim=2, n_steps=10, n_classes=3)
out = cm(torch.randn(4, 2), torch.tensor([0, 1, 2, 3]), torch.tensor([0, 1, 2, 0]))
assert tuple(out.shape) == (4, 2)
print(out)
### BEGIN HIDDEN TESTS
import torch.nn.functional as F
torch.manual_seed(0)
cm = ConditionalDDPM(n_dim=2, n_steps=10, n_classes=3)
x, t = torch.randn(5, 2), torch.randint(0, 10, (5,))
def want(y):                                                            # [x, class embedding of one-hot y, time embedding]
    return cm.model(torch.cat([x, cm.class_embed(F.one_hot(y, 4).float()), cm.time_embed(t)], -1))
with torch.no_grad():
    y = torch.tensor([0, 1, 2, 1, 0])
    assert torch.allclose(cm(x, t, y), want(y), atol=1e-6)
    assert torch.allclose(cm(x, t), want(torch.full((5,), 3)), atol=1e-6)        # no labels: the null class n_classes
    assert torch.allclose(cm(x, t, None), want(torch.full((5,), 3)), atol=1e-6)
### END HIDDEN TESTS
