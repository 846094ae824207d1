"""Nothing lost when processes meet: two sweeps writing one results file, Ctrl-C during training, and a save killed
between writing the weights and the configuration. (The notebooks test each guard in one process; these need real,
separate processes and real signals.)"""
import os, signal, subprocess, sys, textwrap, time
from pathlib import Path
import pytest
from cli_checks import ok, bad

RUN = ['--dataset', 'moons', '--n_steps', '10', '--seed', '0', '--quiet']
RUN_DIR = Path('exps/ddpm_2_10_0.001_0.02_moons')
SWEEP = ['--epochs', '1', '--eval-n', '100', '--k-subsets', '2', '--workers', '0', '--quiet', '--out', 'shared.csv']


def _rows(path):
    from ddpm_nb.sweep import CSV_COLUMNS
    from ddpm_nb.runs import read_rows
    return read_rows(path, CSV_COLUMNS)


def test_two_sweeps_one_results_file(cli, tmp_path):
    "Two sweeps started at once on one CSV: both finish and the file holds every row of both, each once."
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    exe = str(Path(sys.executable).parent / 'ddpm_nb')
    grids = [['--datasets', 'moons', '--n_steps', '10', '20', '--schedulers', 'linear', 'cosine'],
             ['--datasets', 'blobs', '--n_steps', '10', '20', '--schedulers', 'linear', 'sigmoid']]
    procs = [subprocess.Popen([exe, 'sweep', *g, *SWEEP], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for g in grids]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (o, e) in zip(procs, outs): assert p.returncode == 0, f"exit {p.returncode}\n{o}\n{e}"
    rows = _rows(tmp_path / 'shared.csv')
    keys = [(r['dataset'], r['T'], r['schedule']) for r in rows]
    want = {(d, T, s) for d, ss in (('moons', ('linear', 'cosine')), ('blobs', ('linear', 'sigmoid'))) for T in ('10', '20') for s in ss}
    assert sorted(keys) == sorted(want), keys                    # every row of both sweeps, none twice
    # a rerun of either sweep finds its rows done and adds nothing
    ok(cli('sweep', *grids[0], *SWEEP, cwd=tmp_path))
    assert len(_rows(tmp_path / 'shared.csv')) == 8


def _train_proc(tmp_path, *extra):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    exe = str(Path(sys.executable).parent / 'ddpm_nb')
    # Ctrl-C as in a terminal's foreground: SIGINT at its default, even when the tests themselves were started with it
    # ignored (a background job, `nohup`), which the child would inherit and Python would then leave ignored
    return subprocess.Popen([exe, 'train', *RUN[:-1], *extra], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_sigint_during_train_keeps_previous_checkpoint(cli, tmp_path):
    "Ctrl-C while training: one line, exit status 130, and the previous model.pth byte for byte."
    ok(cli('train', *RUN, '--epochs', '1', cwd=tmp_path))
    before = {p.name: p.read_bytes() for p in (tmp_path / RUN_DIR).iterdir()}
    p = _train_proc(tmp_path, '--epochs', '100000')               # shows a progress bar: training has begun when it does
    deadline = time.time() + 120
    buf = ''
    while time.time() < deadline and 'train' not in buf:
        buf += os.read(p.stderr.fileno(), 4096).decode(errors='replace')
    assert 'train' in buf, f"training never started: {buf!r}"
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    err = (buf + err).split('\r')[-1]                            # what is left after the progress bar's last redraw
    lines = [l for l in err.splitlines() if l.strip() and 'it/s' not in l and '%|' not in l]
    assert p.returncode == 130, (p.returncode, err)
    assert 'Traceback' not in err and len(lines) == 1 and 'interrupted' in lines[0], err
    assert {q.name: q.read_bytes() for q in (tmp_path / RUN_DIR).iterdir()} == before
    assert [q.name for q in tmp_path.joinpath(RUN_DIR).parent.iterdir()] == [RUN_DIR.name]   # no temporary folder left


KILLER = textwrap.dedent('''
    import os, signal, sys, torch
    import ddpm_nb.runs as runs
    from ddpm_nb.model import DDPM
    where, run = sys.argv[1], sys.argv[2]
    real_write, real_rename, real_rmtree = runs.atomic_write, os.rename, runs.shutil.rmtree
    def write(path, fn, mode='wb'):
        if where == 'before-config' and str(path).endswith('config.json'): os.kill(os.getpid(), signal.SIGKILL)
        return real_write(path, fn, mode)
    renames = []
    def rename(a, b):
        if where == 'before-first-rename' and str(a) == run: os.kill(os.getpid(), signal.SIGKILL)
        real_rename(a, b); renames.append(b)
        if where == 'between-renames' and len(renames) == 1: os.kill(os.getpid(), signal.SIGKILL)
    def rmtree(path, *a, **k):
        if where == 'deleting-old' and '.old-' in str(path): os.kill(os.getpid(), signal.SIGKILL)
        return real_rmtree(path, *a, **k)
    runs.atomic_write, runs.os.rename, runs.shutil.rmtree = write, rename, rmtree
    torch.manual_seed(1)
    runs.save_checkpoint(DDPM(n_dim=2, n_steps=10), run)
''')


@pytest.mark.parametrize('where', ['before-config', 'between-renames'])
def test_killed_save_leaves_a_consistent_run(tmp_path, where):
    """A save killed (SIGKILL) after the new weights are written but before the configuration, or between the two
    renames that replace a run: the next load gets one whole run — the old one, or the new one — never a mix."""
    import torch
    from ddpm_nb.model import DDPM
    from ddpm_nb.runs import save_checkpoint, load_checkpoint
    run = tmp_path / 'run'
    torch.manual_seed(0); old = DDPM(n_dim=2, n_steps=10)
    save_checkpoint(old, run)
    old_bytes = (run / 'model.pth').read_bytes()
    torch.manual_seed(1); new = DDPM(n_dim=2, n_steps=10)
    p = subprocess.run([sys.executable, '-c', KILLER, where, str(run)], capture_output=True, text=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stderr)
    model, _, cfg = load_checkpoint(run)
    got = model.state_dict()['model.0.weight']
    if where == 'before-config':                                  # the new unit never completed: the old run, untouched
        assert torch.equal(got, old.state_dict()['model.0.weight'])
        assert (run / 'model.pth').read_bytes() == old_bytes
    else:                                                         # both folders were complete: the swap is finished
        assert torch.equal(got, new.state_dict()['model.0.weight'])
    assert not [d for d in tmp_path.iterdir() if d.name.startswith('.run.old-')]


@pytest.mark.parametrize('where, leftover', [('before-first-rename', '.run.new-'), ('deleting-old', '.run.old-')])
def test_killed_replacement_never_comes_back(tmp_path, where, leftover):
    """A replacement killed (SIGKILL) before its swap began (a complete `.new-*` is left beside the old run) or while the
    replaced run was being deleted (a complete, stale `.old-*` is left beside the new one): the run is whole, and when the
    user then deletes it, neither leftover ever comes back as the run."""
    import torch
    from ddpm_nb.model import DDPM
    from ddpm_nb.runs import save_checkpoint, load_checkpoint, check_run_dir
    run = tmp_path / 'run'
    torch.manual_seed(0); old = DDPM(n_dim=2, n_steps=10)
    save_checkpoint(old, run)
    torch.manual_seed(1); new = DDPM(n_dim=2, n_steps=10)
    p = subprocess.run([sys.executable, '-c', KILLER, where, str(run)], capture_output=True, text=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stderr)
    assert [d.name for d in tmp_path.iterdir() if d.name.startswith(leftover)], sorted(os.listdir(tmp_path))
    got = load_checkpoint(run)[0].state_dict()['model.0.weight']
    assert torch.equal(got, (old if where == 'before-first-rename' else new).state_dict()['model.0.weight'])
    import shutil; shutil.rmtree(run)                             # the user deletes the run
    with pytest.raises(FileNotFoundError, match='no checkpoint'): load_checkpoint(run)
    check_run_dir(run)                                           # a new run may go there ...
    assert not (run / 'model.pth').exists()                      # ... and no leftover became the run
    assert not [d for d in tmp_path.iterdir() if d.name.startswith('.run.old-')]


REPLACER = textwrap.dedent('''
    import sys, torch
    from ddpm_nb.model import DDPM
    from ddpm_nb.runs import save_checkpoint
    torch.set_num_threads(1)
    models = [DDPM(n_dim=2, n_steps=10) for _ in range(2)]
    for k, m in enumerate(models): torch.save(m.state_dict()['model.0.weight'], sys.argv[1] + f'.w{k}')
    i = 0
    while True:                                   # replace the run again and again, until killed
        save_checkpoint(models[i % 2], sys.argv[1], force=True, which=i % 2)
        i += 1
''')


def test_load_while_another_process_replaces_the_run(tmp_path):
    """A process saves one run over and over (as `train --force` replaces it) while this one loads it 500 times: every
    load returns one save whole, the configuration and the weights of the same save, and none fails."""
    import torch
    from ddpm_nb.runs import load_checkpoint
    run = tmp_path / 'run'
    p = subprocess.Popen([sys.executable, '-c', REPLACER, str(run)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while not (run / 'config.json').exists() and p.poll() is None and time.time() < deadline: time.sleep(0.05)
        weights = [torch.load(f"{run}.w{k}") for k in range(2)]
        seen, errors = [], []
        for _ in range(500):
            try: model, _, cfg = load_checkpoint(run)
            except Exception as e:
                errors.append(f"{type(e).__name__}: {e}")
                continue
            seen.append(cfg['which'])
            assert torch.equal(model.state_dict()['model.0.weight'], weights[cfg['which']]), "one save's config, another's weights"
        assert p.poll() is None, p.stderr.read()                  # the other process was replacing the run all along
    finally:
        p.kill()
        p.wait()
    assert not errors, f"{len(errors)} of 500 loads failed, e.g. {errors[0]}"
    assert set(seen) == {0, 1}                                    # both saves were read: the run changed under the loads


def test_full_disk_while_saving_samples_keeps_what_was_there(cli, tmp_path):
    """A file-size limit (ulimit -f, as a full disk) reached part-way through saving samples: one line that says so, exit
    2, and the samples already there byte for byte. SIGXFSZ is ignored in the child (as Python does), so the write fails
    with EFBIG instead of killing the process."""
    import resource
    ok(cli('train', *RUN, '--epochs', '1', cwd=tmp_path))
    ok(cli('sample', *RUN, '--n_samples', '20000', cwd=tmp_path))        # 160 kB of points in each file
    before = {p.name: p.read_bytes() for p in (tmp_path / RUN_DIR).iterdir()}
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    r = subprocess.run([str(Path(sys.executable).parent / 'ddpm_nb'), 'sample', *RUN, '--n_samples', '20000'], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=300, preexec_fn=limit)
    bad(r, 'file too large')
    assert 'nothing was written, what was there is as it was' in r.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / RUN_DIR).iterdir()} == before      # no temporary file left either


def test_outputs_that_are_not_files_never_hang(cli, tmp_path):
    "sweep --out /dev/stdout (a pipe here) or a FIFO, with or without --dry-run: one line at once, never a wait."
    os.mkfifo(tmp_path / 'fifo.csv')
    grid = ['--datasets', 'moons', '--n_steps', '10', '--schedulers', 'linear']
    for out in ('/dev/stdout', 'fifo.csv'):
        for dry in ([], ['--dry-run']):
            bad(cli('sweep', *grid, '--out', out, *dry, cwd=tmp_path, timeout=60), 'is a FIFO')


def test_weights_from_another_save_are_refused(cli, tmp_path):
    "New weights beside an old config (an outside writer, killed between two files): one line, never a silent mix."
    ok(cli('train', *RUN, '--epochs', '1', cwd=tmp_path))
    ok(cli('train', *RUN, '--epochs', '1', '--seed', '1', '--run', 'other', cwd=tmp_path))
    (tmp_path / RUN_DIR / 'model.pth').write_bytes((tmp_path / 'other/model.pth').read_bytes())
    bad(cli('sample', *RUN, '--n_samples', '10', cwd=tmp_path), 'come from different saves')


@pytest.mark.parametrize('damage, contains', [
    (lambda run: (run / 'model.pth').write_bytes((run / 'model.pth').read_bytes()[:64]), 'model.pth'),
    (lambda run: (run / 'config.json').write_text('{"model_class": "DDPM",'), 'is not valid JSON'),
    (lambda run: (run / 'config.json').write_text('[]'), 'holds a JSON list'),
])
def test_damaged_run_is_one_line(cli, tmp_path, damage, contains):
    "A damaged run folder, loaded by the command: one line naming the file, exit 2, no advice to set weights_only=False."
    ok(cli('train', *RUN, '--epochs', '1', cwd=tmp_path))
    damage(tmp_path / RUN_DIR)
    r = bad(cli('sample', *RUN, '--n_samples', '10', cwd=tmp_path), contains)
    assert 'weights_only=False' not in r.stderr


def test_user_errors_in_a_real_process(cli, tmp_path):
    "The errors issue 9 found as tracebacks, as the installed command shows them: one line, exit 2."
    bad(cli('train', *RUN, '--device', 'foo', cwd=tmp_path), "unknown device 'foo'")
    bad(cli('train', *RUN, '--threads', '100000', cwd=tmp_path), 'argument --threads')
    bad(cli('train', *RUN, '--seed', '99999999999999999999999', cwd=tmp_path), 'argument --seed')
    bad(cli('train', *RUN, '--lr-drop', 'inf', '0.5', cwd=tmp_path), '--lr-drop inf 0.5')
    bad(cli('sample', *RUN, '--n_samples', '100000000', cwd=tmp_path), 'argument --n_samples')
    bad(cli('train', *RUN, '--epochs', '0', cwd=tmp_path), 'argument --epochs: must be a positive integer')
    bad(cli('train', *RUN, '--run', '', cwd=tmp_path), 'argument --run: must name a folder')
    (tmp_path / 'ro').mkdir(); (tmp_path / 'f').write_text('x')
    bad(cli('train', *RUN, '--out', 'f', cwd=tmp_path), 'is a file, not a folder')       # refused before training
    bad(cli('train', *RUN, '--out', '/proc/ddpm_nb', cwd=tmp_path), 'not writable')
    bad(cli('sweep', '--datasets', 'moons', '--n_steps', '10', '--out', 'ro', cwd=tmp_path), 'is a folder')
