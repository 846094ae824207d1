"""The course (issue 24): `make assignment` builds the student notebooks from the workbook's exercise marks, and
`make grade` autogrades a folder of submissions that this test builds from them:

- by default, assignment 1 for five students: the workbook's own solution (full marks), the untouched release (0),
  one mutant (a wrong sign in `add_noise`: loses exactly that question), one that hangs in `add_noise` (cut off by the
  cell time limit; the rest of its notebook is graded) and one file that is not a notebook (0, a line, a feedback page);
- with the slow tests (`make test-slow`, a few minutes): every assignment, each with the solution, the release, a correct solution
  written differently (numpy, loops, other names) and one planted bug per question, each losing exactly its question.
"""
import ast, csv, os, re, subprocess, sys, time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'course'))
import course  # noqa: E402

BIN = Path(sys.executable).parent
CELL_TIMEOUT = 15

# one planted bug per question: (old, new) in the solution notebook (each `old` occurs exactly once)
MUTANTS = {
    'schedules': ('f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2', 'f = torch.cos((t + s) / (1 + s) * math.pi / 2)'),
    'add_noise': ('* x0 + _gather(self.sqrt_one_minus_alpha_bar, t, x0) * eps', '* x0 - _gather(self.sqrt_one_minus_alpha_bar, t, x0) * eps'),
    'step': ('* eps) / g(self.alphas).sqrt()', '* eps) / g(self.alphas)'),                       # a missing √
    'time_embedding': ('torch.cat([torch.sin(args), torch.cos(args)], dim=-1)', 'torch.cat([torch.cos(args), torch.sin(args)], dim=-1)'),
    'forward': ('return self.model(torch.cat([x, self.time_embed(t)], dim=-1))', 'return self.model(torch.cat([self.time_embed(t), x], dim=-1))'),
    'conditional_ddpm': ('        return self.model(torch.cat([x, y_emb, self.time_embed(t)]', '        return self.model(torch.cat([x, self.class_embed(torch.zeros_like(y_emb)), self.time_embed(t)]'),
    'train': ('return F.mse_loss(pred, eps)', 'return F.mse_loss(pred, x0)'),
    'train_conditional': ('device=y.device) < p_uncond', 'device=y.device) > p_uncond'),
    'sample': ('reverse_process(lambda x, t: model(x, t), n_samples', 'reverse_process(lambda x, t: -model(x, t), n_samples'),
    'sample_conditional': ('reverse_process(lambda x, t: model(x, t, y), n_samples', 'reverse_process(lambda x, t: model(x, t), n_samples'),
    'sample_cfg': ('return cfg_eps(e[:len(x)], e[len(x):], w)', 'return w * e[:len(x)] - (1 + w) * e[len(x):]'),   # w, 1 + w swapped
    'classifier': ('sign = -1.0 if self.method == "eps" else 1.0', 'sign = 1.0'),                 # argmax of the error
}
HANG = ("        t = self._t(t, x0, eps, names=('eps',))\n        return _gather(self.sqrt_alpha_bar",
        "        while True: pass\n        return _gather(self.sqrt_alpha_bar")

# correct solutions written differently: a function -> its new body (numpy, loops, other names)
ALTERNATIVES = {
    'a1_forward_model': {
        'linear_betas': '''
step = (beta_end - beta_start) / max(num_timesteps - 1, 1)
return torch.tensor([beta_start + k * step for k in range(num_timesteps)], dtype=torch.float64)''',
        'cosine_betas': '''
import numpy as np
grid = np.linspace(0.0, 1.0, num_timesteps + 1)
abar = np.cos((grid + s) / (1 + s) * np.pi / 2) ** 2
abar = abar / abar[0]
return torch.from_numpy(np.minimum(1 - abar[1:] / abar[:-1], max_beta))''',
        'NoiseScheduler.add_noise': '''
import numpy as np
ab = self.alpha_bar.numpy()[np.asarray(t)]
ab = ab.reshape(-1, 1) if ab.ndim else ab
return torch.from_numpy(np.sqrt(ab) * x0.numpy() + np.sqrt(1 - ab) * eps.numpy()).float()''',
        'step': '''
abar, a, b = self.alpha_bar[t], self.alphas[t], self.betas[t]
mu = (x_t - b / torch.sqrt(1 - abar) * eps) / torch.sqrt(a)
if t == 0: return mu
z = torch.randn_like(x_t) if noise is None else noise
return mu + torch.sqrt(b * (1 - self.alpha_bar[t - 1]) / (1 - abar)) * z''',
        'sinusoidal_embedding': '''
import numpy as np
w = np.asarray(sinusoidal_freqs(dim, max_period) if freqs is None else freqs, dtype=np.float64)
out = np.zeros((len(t), 2 * len(w)))
for i, ti in enumerate(np.asarray(t, dtype=np.float64)):
    out[i, :len(w)], out[i, len(w):] = np.sin(ti * w), np.cos(ti * w)
return torch.tensor(out, dtype=torch.float32)''',
        'DDPM.forward': '''
x, steps = self._check_input(x, t)
h = torch.hstack((x, self.time_embed(steps)))
return self.model(h)''',
        'ConditionalDDPM.forward': '''
x, steps = self._check_input(x, t)
labels = torch.full((len(x),), self.n_classes) if y is None else torch.as_tensor(y).expand(len(x))
onehot = torch.eye(self.n_classes + 1)[labels.long()]
return self.model(torch.hstack([x, self.class_embed(onehot), self.time_embed(steps)]))''',
    },
    'a2_training': {
        'diffusion_loss': '''
noisy = noise_scheduler.add_noise(x0, t, eps)
out = model(noisy, t) if y is None else model(noisy, t, y)
return ((out - eps) ** 2).mean()''',
        'train': '''
n_t, history = len(noise_scheduler), []
for _ in range(int(epochs)):
    total, count = 0.0, 0
    for batch in dataloader:
        x0 = batch[0] if isinstance(batch, (list, tuple)) else batch
        y = batch[1] if isinstance(batch, (list, tuple)) and len(batch) > 1 else None
        t = torch.randint(0, n_t, (len(x0),))
        eps = torch.randn_like(x0)
        if p_uncond is not None: y = drop_labels(model, y, p_uncond)
        loss = diffusion_loss(model, noise_scheduler, x0, t, eps, y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        total, count = total + loss.item() * len(x0), count + len(x0)
    history.append(total / count)
return history''',
        'trainConditional': '''
return train(model, noise_scheduler, dataloader, optimizer, epochs, run_name, seed=seed, progress=progress, p_uncond=p_uncond)''',
        'drop_labels': '''
keep = torch.rand(len(y)) >= p_uncond
return torch.where(keep, torch.as_tensor(y), torch.tensor(model.n_classes))''',
    },
    'a3_sampling_classifier': {
        'sample': '''
x = torch.randn(n_samples, model.n_dim) if x_T is None else x_T.clone().float()
chain = [x]
with torch.no_grad():
    for t in reversed(range(len(noise_scheduler))):
        x = noise_scheduler.step(model(x, torch.full((len(x),), t)), t, x)
        chain.append(x)
return torch.stack(chain) if return_intermediate else x''',
        'sampleConditional': '''
x = torch.randn(n_samples, model.n_dim) if x_T is None else x_T.clone().float()
labels, chain = torch.as_tensor(class_label).expand(n_samples), [x]
with torch.no_grad():
    for t in range(len(noise_scheduler) - 1, -1, -1):
        x = noise_scheduler.step(model(x, t, labels), t, x)
        chain.append(x)
return torch.stack(chain) if return_intermediate else x''',
        'sampleCFG': '''
x = torch.randn(n_samples, model.n_dim) if x_T is None else x_T.clone().float()
labels, chain = torch.as_tensor(class_label).expand(n_samples), [x]
null = torch.full((n_samples,), model.n_classes)
with torch.no_grad():
    for t in range(len(noise_scheduler) - 1, -1, -1):
        e_c, e_u = model(x, t, labels), model(x, t, null)
        x = noise_scheduler.step(e_c + guidance_scale * (e_c - e_u), t, x)
        chain.append(x)
return torch.stack(chain) if return_intermediate else x''',
        'ClassifierDDPM._chunk_scores': '''
b, n_t, d = eps.shape
noisy = torch.stack([self.noise_scheduler.add_noise(x, t[j].expand(b), eps[:, j]) for j in range(n_t)], 1)
flat, tt = noisy.reshape(-1, d), t.repeat(b)
pred = lambda k: self.model(flat, tt, torch.full((b * n_t,), k)).view(b, n_t, d)
if self.method == "eps":
    return torch.stack([((pred(k) - eps) ** 2).sum(-1).mean(-1) for k in range(self.n_classes)], 1)
null = pred(self.n_classes)
return torch.stack([((pred(k) - null) ** 2).sum((1, 2)) for k in range(self.n_classes)], 1)''',
        'ClassifierDDPM.logits_from_scores': '''
c = self.scale if scale is None else scale
z = -c * s if self.method == "eps" else c * s
return z + torch.log(self.class_prior.to(s.device))''',
    },
}


def make(*args, timeout=900) -> subprocess.CompletedProcess:
    r = subprocess.run(['make', '--no-print-directory', *args, 'STAMP=', f'BIN={BIN}'], cwd=ROOT, capture_output=True,
                       text=True, timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def source(built, name) -> str:
    return (built['course'] / 'source' / name / f'{name}.ipynb').read_text()


def with_bodies(nb_text: str, bodies: dict) -> str:
    "The solution notebook with the solution region of each function (`name` or `Class.name`) replaced by `bodies[...]`."
    nb = nbformat.reads(nb_text, as_version=4)
    for target, body in bodies.items():
        hits = 0
        for c in nb.cells:
            if '### BEGIN SOLUTION' not in c.source: continue
            try: f = course._find(ast.parse(c.source), target)
            except ValueError: continue
            lines = c.source.split('\n')
            b = next(i for i in range(f.lineno - 1, len(lines)) if lines[i].strip() == '### BEGIN SOLUTION')
            e = next(i for i in range(b, len(lines)) if lines[i].strip() == '### END SOLUTION')
            ind = lines[b][:len(lines[b]) - len(lines[b].lstrip())]
            lines[b + 1:e] = [ind + line for line in body.strip('\n').split('\n')]
            c.source = '\n'.join(lines)
            hits += 1
        assert hits == 1, target
    return nbformat.writes(nb)


def replace_once(nb_text: str, old: str, new: str) -> str:
    "The notebook with the one occurrence of `old` in its cells' sources replaced by `new`."
    nb = nbformat.reads(nb_text, as_version=4)
    cells = [c for c in nb.cells if old in c.source]
    assert len(cells) == 1 and cells[0].source.count(old) == 1, old
    cells[0].source = cells[0].source.replace(old, new)
    return nbformat.writes(nb)


def notebook_mutant(built, name, q) -> str:
    "The solution with the planted bug of question `q`."
    return replace_once(source(built, name), *MUTANTS[q])


def read_gradebook(path: Path) -> dict:
    rows = list(csv.DictReader(open(path)))
    out = {}
    for r in rows:
        out.setdefault(r['student'], {})[r['question']] = float(r['points'])
        out[r['student']]['_total'], out[r['student']]['_note'] = float(r['total']), r['note']
    return out


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('course')
    t0 = time.time()
    make('assignment', f'COURSE={tmp / "course"}', f'RELEASE={tmp / "release"}')
    print(f'make assignment: {time.time() - t0:.1f} s')
    return dict(tmp=tmp, course=tmp / 'course', release=tmp / 'release')


def test_release(built):
    "Stubs with signatures and docstrings, visible smoke tests, no hidden tests, no import of its own solution."
    for name, spec in course.ASSIGNMENTS.items():
        text = (built['release'] / name / f'{name}.ipynb').read_text()
        nb = nbformat.reads(text, as_version=4)
        assert 'BEGIN HIDDEN TESTS' not in text and 'BEGIN SOLUTION' not in text
        stubs = [c for c in nb.cells if c.metadata.get('nbgrader', {}).get('solution')]
        assert stubs and all('raise NotImplementedError()' in c.source for c in stubs)
        checks = {c.metadata['nbgrader']['grade_id']: c for c in nb.cells if c.metadata.get('nbgrader', {}).get('grade')}
        assert {q: c.metadata['nbgrader']['points'] for q, c in checks.items()} == spec['points']
        assert all(c.source.strip() for c in checks.values())             # the visible smoke test stays
        for nbname in spec['notebooks']:
            assert not re.search(rf'ddpm_nb\.{course._module(nbname)}\b', text), (name, nbname)
    a1 = (built['release'] / 'a1_forward_model' / 'a1_forward_model.ipynb').read_text()
    assert 'def add_noise(self, x0: torch.Tensor, t, eps: torch.Tensor) -> torch.Tensor:' in a1   # signature and docstring
    assert 'Sample of q(x_t | x_0)' in a1 and '_gather(self.sqrt_alpha_bar, t, x0) * x0' not in a1              # the body is gone


@pytest.mark.slow      # five submissions graded by nbgrader, each in its own kernel: a minute of CPU (`make test-slow`, CI)
def test_grade_five_submissions(built):
    "Full, empty, one mutant, one hanging, one not a notebook: each graded, each in the gradebook, with feedback."
    name = 'a1_forward_model'
    subs = built['tmp'] / 'subs'
    files = {'full': source(built, name),
             'empty': (built['release'] / name / f'{name}.ipynb').read_text(),
             'mutant': notebook_mutant(built, name, 'add_noise'),
             'hanging': replace_once(source(built, name), *HANG),
             'not_a_notebook': 'def add_noise(x0, t, eps):\n    return x0\n'}
    for student, text in files.items():
        (subs / student).mkdir(parents=True)
        (subs / student / f'{name}.ipynb').write_text(text)
    t0 = time.time()
    out = built['tmp'] / 'graded'
    make('grade', f'SUBMISSIONS={subs}', f'GRADED={out}', f'COURSE={built["course"]}', f'CELL_TIMEOUT={CELL_TIMEOUT}')
    print(f'make grade, 5 submissions: {time.time() - t0:.1f} s')
    gb = read_gradebook(out / 'gradebook.csv')
    pts = course.ASSIGNMENTS[name]['points']
    assert set(gb) == set(files)
    assert {q: gb['full'][q] for q in pts} == pts and gb['full']['_total'] == sum(pts.values())
    assert all(gb['empty'][q] == 0 for q in pts)
    for student in ('mutant', 'hanging'):                                # exactly add_noise's points are lost
        assert {q: gb[student][q] for q in pts} == dict(pts, add_noise=0), student
    assert all(gb['not_a_notebook'][q] == 0 for q in pts) and 'not a notebook' in gb['not_a_notebook']['_note']
    for student in files:
        assert (out / 'feedback' / student / f'{name}.html').stat().st_size > 0
    hang = (out / 'feedback' / 'hanging' / f'{name}.html').read_text()
    assert 'CellTimeoutError' in hang or 'Timeout' in hang                 # the feedback says why add_noise failed
    assert 'AssertionError' in (out / 'feedback' / 'mutant' / f'{name}.html').read_text()


@pytest.mark.slow
@pytest.mark.parametrize('name', list(course.ASSIGNMENTS))
def test_every_mutant(built, name):
    "Each assignment: the solution scores full marks, the release 0, another correct solution full marks, and each planted bug loses exactly its question."
    pts = course.ASSIGNMENTS[name]['points']
    subs = built['tmp'] / f'subs_{name}'
    files = {'full': source(built, name), 'empty': (built['release'] / name / f'{name}.ipynb').read_text(),
             'written_differently': with_bodies(source(built, name), ALTERNATIVES[name]),
             **{f'mutant_{q}': notebook_mutant(built, name, q) for q in pts}}
    for student, text in files.items():
        (subs / student).mkdir(parents=True)
        (subs / student / f'{name}.ipynb').write_text(text)
    t0 = time.time()
    out = built['tmp'] / f'graded_{name}'
    make('grade', f'SUBMISSIONS={subs}', f'GRADED={out}', f'COURSE={built["course"]}', f'CELL_TIMEOUT={CELL_TIMEOUT}')
    print(f'make grade {name}, {len(files)} submissions: {time.time() - t0:.1f} s')
    gb = read_gradebook(out / 'gradebook.csv')
    assert {q: gb['full'][q] for q in pts} == pts
    assert {q: gb['written_differently'][q] for q in pts} == pts
    assert all(gb['empty'][q] == 0 for q in pts)
    for q in pts:
        assert {k: gb[f'mutant_{q}'][k] for k in pts} == dict(pts, **{q: 0}), q
