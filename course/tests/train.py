class Recorder(DDPM):
    "The library's DDPM, recording what `train` shows it."
    def forward(self, x, t):
        self.seen.append((x.detach().clone(), torch.as_tensor(t).clone()))
        return super().forward(x, t)
ns = NoiseScheduler(10, beta_start=1e-3, beta_end=0.2)
torch.manual_seed(0)
m = Recorder(n_dim=2, n_steps=10); m.seen = []
X = torch.tensor([1.0, -2.0]).repeat(512, 1)                            # every data point the same: x0 is known
loader = [(X[i:i + 64],) for i in range(0, 512, 64)]
losses = train(m, ns, loader, torch.optim.Adam(m.parameters(), lr=1e-2), 3, None, progress=False)
assert len(losses) == 3 and all(isinstance(float(l), float) for l in losses)
print('losses:', losses)
### BEGIN HIDDEN TESTS
import math
assert len(m.seen) == 3 * 8                                             # one network call per batch and epoch
assert all(tuple(x.shape) == (64, 2) for x, _ in m.seen)
t = torch.cat([t.expand(64) for _, t in m.seen]).long()
assert t.min() == 0 and t.max() == 9                                    # t ~ U{0..T-1}
ab = ns.alpha_bar.double()[t][:, None]
xt = torch.cat([x for x, _ in m.seen]).double()
eps = (xt - ab.sqrt() * X[:1].double()) / (1 - ab).sqrt()               # the noise each x_t was made with
assert abs(float(eps.mean())) < 0.1 and abs(float(eps.std()) - 1) < 0.1 # ε ~ N(0, I): x_t = √ᾱ x0 + √(1-ᾱ) ε
# the loss is the mean squared error of the predicted noise: with a frozen network (lr 0) each epoch's loss is the
# mean over its batches of ‖ε - ε_θ(x_t, t)‖² / (batch · dim), recomputed here from what the network saw
m.seen = []
l0 = train(m, ns, loader, torch.optim.SGD(m.parameters(), lr=0.0), 1, None, progress=False)
with torch.no_grad():
    per_batch = []
    for x, tb in m.seen:
        tb = tb.expand(len(x)).long(); abb = ns.alpha_bar.double()[tb][:, None]
        e = (x.double() - abb.sqrt() * X[:1].double()) / (1 - abb).sqrt()
        per_batch.append(float(((DDPM.forward(m, x, tb).double() - e) ** 2).mean()))
assert math.isclose(float(l0[0]), sum(per_batch) / len(per_batch), rel_tol=1e-3), (l0, per_batch)
# and it learns: on a fixed point the network's error falls
torch.manual_seed(1)
m2 = Recorder(n_dim=2, n_steps=10); m2.seen = []
before = [p.detach().clone() for p in m2.parameters()]
l2 = train(m2, ns, loader, torch.optim.Adam(m2.parameters(), lr=1e-2), 8, None, progress=False)
assert any(not torch.equal(a, b) for a, b in zip(before, m2.parameters()))
assert l2[-1] < l2[0]
### END HIDDEN TESTS
