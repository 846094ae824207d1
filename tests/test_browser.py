"""The explorers of nbs/08_explore.ipynb in a real browser: JupyterLab on loopback, headless Chromium through Playwright.

Opens the notebook (it names its kernel: no "Select Kernel" dialog may appear), runs every cell (with a throwaway model
cache and a few training epochs, through the environment variables the notebook reads), checks that the readouts say
which way is better, moves the forward explorer's T slider and the guidance explorer's w slider with the keyboard, and
checks that the readout text and the plotted image change; then sets β_low above β_high and checks that one line says
why and the stale figure is gone, and that a valid β range brings the figure back. Needs Debian's `chromium` (`make browser-deps`)
and the `playwright` Python package; Playwright's own browser download is not used. Set DDPM_NB_SKIP_BROWSER=1 to skip.
"""
import contextlib, hashlib, json, os, re, secrets, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = 'nbs/08_explore.ipynb'
CHROMIUM = os.environ.get('DDPM_NB_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
RUN_ALL_TIMEOUT = float(os.environ.get('DDPM_NB_BROWSER_TIMEOUT', 600))   # seconds for all cells to run

pytestmark = pytest.mark.skipif(os.environ.get('DDPM_NB_SKIP_BROWSER') == '1', reason='DDPM_NB_SKIP_BROWSER=1')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def _api(base, token, path, method='GET'):
    req = urllib.request.Request(f"{base}{path}", method=method, headers={'Authorization': f'token {token}'})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


@contextlib.contextmanager
def lab_server(tmp_path: Path, env_extra: dict):
    """A JupyterLab server on 127.0.0.1 (a free port, a token, no browser, no autosave) rooted at the repository, its
    kernels started with `env_extra` in their environment; yields {'base', 'token', 'log'} and stops it afterwards
    (also bench/bench_run_all.py's server)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make browser-deps` or `apt-get install -y chromium`)")
    for mod in ('jupyterlab', 'playwright'):     # dev requirements: a missing one fails (a skip would hide it in CI)
        try: __import__(mod)
        except ImportError: pytest.fail(f"{mod} is not installed: `pip install -e .[dev]` (or DDPM_NB_SKIP_BROWSER=1 to skip)")
    token, port = secrets.token_hex(16), _free_port()
    base = f"http://127.0.0.1:{port}"
    # a private settings folder: no autosave (the notebook on disk stays as committed), no news or update checks
    settings = tmp_path / 'lab-settings'
    for plugin, value in {'docmanager-extension/plugin': {'autosave': False},
                          'notebook-extension/tracker': {'windowingMode': 'none'},     # every cell stays in the page
                          'apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False}}.items():
        f = settings / '@jupyterlab' / f"{plugin}.jupyterlab-settings"
        f.parent.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(value))
    # OMP_NUM_THREADS=1: the models are tiny, and on a few shared CI cores torch's extra threads only fight each other
    env = dict(os.environ, OMP_NUM_THREADS='1', **env_extra,
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / 'lab-workspaces'),
               JUPYTER_CONFIG_DIR=str(tmp_path / 'jupyter-config'), JUPYTER_RUNTIME_DIR=str(tmp_path / 'jupyter-runtime'))
    env.pop('MPLBACKEND', None)
    log = open(tmp_path / 'jupyterlab.log', 'w')
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}', '--port-retries=0',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={REPO}', '--ServerApp.allow_remote_access=False',
           f'--FileCheckpoints.checkpoint_dir={tmp_path / "checkpoints"}']   # no .ipynb_checkpoints left in nbs/
    if hasattr(os, 'geteuid') and os.geteuid() == 0: cmd.append('--allow-root')          # CI containers run as root
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None: pytest.fail(f"JupyterLab exited ({proc.returncode}):\n{(tmp_path / 'jupyterlab.log').read_text()[-3000:]}")
            try:
                _api(base, token, '/api/status'); break
            except OSError:
                if time.time() > deadline: pytest.fail(f"JupyterLab did not answer on {base} within 90 s")
                time.sleep(0.5)
        print(f"\nJupyterLab answered after {time.time() - t0:.1f} s")
        yield dict(base=base, token=token, log=tmp_path / 'jupyterlab.log')
    finally:
        t1 = time.time()
        try:
            for k in _api(base, token, '/api/kernels') or []: _api(base, token, f"/api/kernels/{k['id']}", 'DELETE')
        except OSError: pass
        proc.send_signal(signal.SIGTERM)
        try: proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
        log.close()
        print(f"JupyterLab stopped in {time.time() - t1:.1f} s")


@pytest.fixture
def lab(tmp_path):
    "JupyterLab for 08_explore: a throwaway model cache and 2-epoch explorer models; the notebook on disk stays as committed."
    nb_path = REPO / NOTEBOOK
    nb_hash = hashlib.sha256(nb_path.read_bytes()).hexdigest()
    with lab_server(tmp_path, dict(DDPM_NB_CACHE=str(tmp_path / 'model-cache'), DDPM_NB_EXPLORE_EPOCHS='2')) as lab:
        yield lab
    assert hashlib.sha256(nb_path.read_bytes()).hexdigest() == nb_hash, f"{NOTEBOOK} was changed by the browser session"


KERNEL_STATUS = '.jp-StatusBar-TextItem[title^="Change kernel"]'     # "Python 3 (ipykernel) | Idle"


def _start_kernel(page, timeout=120):
    "Wait until the notebook's own kernel is idle; fail if JupyterLab asks the student to select a kernel."
    deadline = time.time() + timeout
    while time.time() < deadline:
        dialog = page.locator('.jp-Dialog', has_text='Select Kernel')
        if dialog.count() and dialog.first.is_visible():
            pytest.fail("JupyterLab asked to select a kernel: the notebook's metadata names none (kernelspec)")
        status = page.locator(KERNEL_STATUS)
        if status.count() and re.search(r'python.*\| Idle', status.first.inner_text(), re.I): return
        page.wait_for_timeout(300)
    raise TimeoutError(f"no idle Python kernel after {timeout} s: status {page.locator(KERNEL_STATUS).first.inner_text()!r}")


def _wait_all_cells(page, timeout):
    "After Run All: wait until no cell is queued or running and the kernel is idle; fail at once on a cell's error."
    deadline = time.time() + timeout
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]', has_text='Traceback')
    page.wait_for_timeout(1000)
    while time.time() < deadline:
        if errors.count(): pytest.fail(f"a cell raised:\n{errors.first.text_content()[-3000:]}")
        busy = page.locator('.jp-NotebookPanel .jp-InputPrompt', has_text='[*]').count()
        if not busy and page.locator(KERNEL_STATUS).first.inner_text().endswith('| Idle'): return
        page.wait_for_timeout(300)
    raise TimeoutError(f"cells still running after {timeout} s")


def _readout(page, explorer):
    return page.locator(f'.ddpm-{explorer}-explorer .ddpm-readout').first.text_content()


def _image(page, explorer):
    img = page.locator(f'.ddpm-{explorer}-explorer img.widget-image')
    return img.first.get_attribute('src') if img.count() else None


def _wait_change(page, explorer, before, timeout=60):
    "Wait until the explorer's readout and image both differ from `before`; returns (readout, image)."
    deadline = time.time() + timeout
    while time.time() < deadline:
        now = (_readout(page, explorer), _image(page, explorer))
        if now[0] != before[0] and now[1] is not None and now[1] != before[1]: return now
        page.wait_for_timeout(200)
    return now


def _press(page, explorer, control, key, times=1):
    handle = page.locator(f'.ddpm-{explorer}-explorer .ddpm-{control} .noUi-handle').first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(times): page.keyboard.press(key)


def test_sliders_in_a_real_browser(lab, tmp_path):
    from playwright.sync_api import sync_playwright
    t_start = time.time()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': 1500, 'height': 1000})
            page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
            page.wait_for_selector('.jp-NotebookPanel .jp-Notebook .jp-Cell', timeout=90_000)
            _start_kernel(page)
            t_kernel = time.time()
            # Run > Run All Cells
            page.locator('.lm-MenuBar-item', has_text='Run').first.click()
            page.locator('.lm-Menu-item').filter(has=page.locator('.lm-Menu-itemLabel', has_text=re.compile(r'^Run All Cells$'))).click()
            _wait_all_cells(page, RUN_ALL_TIMEOUT)
            t_ran = time.time()

            for explorer in ('forward', 'reverse', 'guidance'):
                assert 'Error' not in _readout(page, explorer), _readout(page, explorer)
                assert _image(page, explorer), f"no plot in the {explorer} explorer"
            assert 'EMD' in _readout(page, 'reverse') and 'floor' in _readout(page, 'reverse')
            # readouts give units and say which way is better
            assert 'nats' in _readout(page, 'forward') and 'lower is better' in _readout(page, 'forward')
            assert 'EMD / floor = ' in _readout(page, 'reverse') and 'lower is better' in _readout(page, 'reverse')
            assert 'higher is better' in _readout(page, 'guidance') and 'EMD / floor' in _readout(page, 'guidance')

            # forward explorer: T one step up with the keyboard moves ᾱ_T (and the plot)
            before = (_readout(page, 'forward'), _image(page, 'forward'))
            assert 'ᾱ_T = ' in before[0], before[0]
            _press(page, 'forward', 'T', 'ArrowRight')
            after = _wait_change(page, 'forward', before)
            assert after[0] != before[0], f"the forward readout did not change after moving T: {after[0]!r}"
            assert after[1] != before[1], "the forward plot did not change after moving T"
            assert 'Error' not in after[0], after[0]
            num = lambda s, k: float(s.split(k + ' = ')[1].split()[0])
            assert num(after[0], 'ᾱ_T') < num(before[0], 'ᾱ_T'), (before[0], after[0])   # one more step: less signal left

            # guidance explorer (opens at w = 0): w up by two steps of 0.1 with the keyboard
            before = (_readout(page, 'guidance'), _image(page, 'guidance'))
            assert 'w = 0.00' in before[0], before[0]
            _press(page, 'guidance', 'guidance_scale', 'ArrowRight', 2)
            after = _wait_change(page, 'guidance', before)
            assert 'w = 0.20' in after[0] or 'w = 0.10' in after[0], f"the guidance readout did not follow w: {after[0]!r}"
            assert after[1] != before[1], "the guidance plot did not change after moving w"
            assert 'Error' not in after[0], after[0]

            # an invalid setting: β_low to its maximum (0.1) > β_high (0.02): one line, no stale figure
            _press(page, 'forward', 'beta_low', 'End')
            deadline = time.time() + 30
            while 'Not a valid setting' not in _readout(page, 'forward') and time.time() < deadline: page.wait_for_timeout(200)
            line = _readout(page, 'forward')
            assert re.fullmatch(r'Not a valid setting: β_low \(0\.1\) must not exceed β_high \(0\.02\)', line.strip()), line
            plot = page.locator('.ddpm-forward-explorer img.widget-image')
            assert plot.count() == 0 or not plot.first.is_visible(), "the stale figure is still shown under the error"
            _press(page, 'forward', 'beta_low', 'Home')                   # 1e-5 < β_high: valid again, the figure is back
            deadline = time.time() + 30
            while not (_image(page, 'forward') and plot.first.is_visible()) and time.time() < deadline: page.wait_for_timeout(200)
            assert plot.first.is_visible() and 'ᾱ_T = ' in _readout(page, 'forward'), _readout(page, 'forward')
            t_end = time.time()
        except BaseException:
            # leave what the browser showed next to the server log, for whoever reads the failure
            try:
                page.screenshot(path=str(tmp_path / 'failure.png'), full_page=True)
                (tmp_path / 'failure.html').write_text(page.content())
            except Exception: pass
            print(f"\nbrowser artefacts: {tmp_path / 'failure.png'}, {tmp_path / 'failure.html'}, server log {lab['log']}")
            raise
        finally:
            browser.close()
    print(f"browser test: {t_kernel - t_start:.1f} s to open the notebook and start a kernel, {t_ran - t_kernel:.1f} s to run "
          f"all cells, {t_end - t_ran:.1f} s for the slider checks")
