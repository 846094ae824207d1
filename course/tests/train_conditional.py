class Recorder(ConditionalDDPM):
    "The library's ConditionalDDPM, recording the labels `trainConditional` shows it."
    def forward(self, x, t, y=None):
        self.labels.append(torch.as_tensor(y).clone())
        return super().forward(x, t, y)
ns = NoiseScheduler(10, beta_start=1e-3, beta_end=0.2)
torch.manual_seed(0)
cm = Recorder(n_dim=2, n_steps=10, n_classes=3); cm.labels = []
X, Y = torch.randn(3000, 2), torch.randint(0, 3, (3000,))
loader = [(X[i:i + 500], Y[i:i + 500]) for i in range(0, 3000, 500)]
losses = trainConditional(cm, ns, loader, torch.optim.Adam(cm.parameters(), lr=1e-3), 1, None, p_uncond=0.3, progress=False)
assert len(losses) == 1
print('losses:', losses)
### BEGIN HIDDEN TESTS
def labels_seen(p):
    cm.labels = []
    trainConditional(cm, ns, loader, torch.optim.SGD(cm.parameters(), lr=0.0), 1, None, p_uncond=p, progress=False)
    return torch.cat([y.expand(500) for y in cm.labels]).long()
for p in (0.0, 0.3, 1.0):
    y = labels_seen(p)
    assert len(y) == 3000
    dropped = y == cm.null_class                                        # each label dropped to the null class...
    assert abs(float(dropped.float().mean()) - p) < 0.04, (p, float(dropped.float().mean()))   # ...with probability p
    assert torch.equal(y[~dropped], Y[~dropped])                        # the others unchanged
### END HIDDEN TESTS
