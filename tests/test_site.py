"""The course site (`make docs` → `_docs/`) in a real browser: headless Chromium through Playwright, as tests/test_browser.py.

Serves `_docs/` on 127.0.0.1 and opens every page. On each: no raw TeX (`$$`, `\\(`, `\\begin`, `\\frac`) and no nbdev
directive (`#| ...`) is left in the visible text; where the notebook has math, MathJax has typeset it (an `mjx-container`
exists); every `<img>` has loaded (`naturalWidth > 0`); every internal link leads to a page (and an anchor) that exists;
nothing is fetched from outside 127.0.0.1; every panel title of a figure is at least 10 px high as the page shows it
(read from the image), as is every panel title of the library's figure makers in the site's column (from their font
sizes). The API entry of `NoiseScheduler.add_noise` shows its docstring.
Needs a built site (`make docs`; `make test` builds it first). Set DDPM_NB_SKIP_BROWSER=1 to skip.
"""
import functools, http.server, io, json, os, re, threading, urllib.parse
from html.parser import HTMLParser
from pathlib import Path
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get('DDPM_NB_SITE', REPO / '_docs'))
CHROMIUM = os.environ.get('DDPM_NB_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
RAW = ['$$', '\\(', '\\begin', '\\frac']
MATH = re.compile(r'\$[^$\n]+\$|\\begin\{')

MIN_TITLE_PX = 10                                  # issue 23: panel titles legible at the site's width
VIEWPORT = {'width': 1300, 'height': 900}          # a laptop's browser window: the site's column is 704 px wide in it

pytestmark = pytest.mark.skipif(os.environ.get('DDPM_NB_SKIP_BROWSER') == '1', reason='DDPM_NB_SKIP_BROWSER=1')


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(); self.ids = set()
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('id', 'name') and v: self.ids.add(v)


@functools.lru_cache(maxsize=None)
def _ids(page: Path) -> frozenset:
    p = _Ids(); p.feed(page.read_text(encoding='utf-8')); return frozenset(p.ids)


def _has_math(stem: str) -> bool:
    "Whether the notebook behind a page has math in its Markdown."
    nb = REPO / 'nbs' / f'{stem}.ipynb'
    if not nb.exists(): return False
    cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
    return any(c['cell_type'] == 'markdown' and MATH.search(''.join(c['source'])) for c in cells)


def panel_title_px(png: bytes, line: int = 160, ink: int = 128, min_run: int = 50, reach: int = 40, join: int = 3) -> list[float]:
    """The font size, in the image's own pixels, of the title above each framed panel of a matplotlib figure (PNG bytes).

    A panel is found by its frame (pixels darker than `line`, of 255): a dark line at least `min_run` px long, not the
    edge of a filled box, with a side line going down from each end. Its title is the lowest run of ink rows (pixels
    darker than `ink`; gaps of up to `join` rows) within `reach` px above the frame, between the side lines. The size is
    read from the glyphs standing on the text's baseline (not descenders, brackets, accents or sub/superscripts): the
    tallest of them is a capital, a digit or an ascender, 0.73-0.76 of the font size, or else a lower-case letter, 0.55
    of it. So dividing by 0.76 overstates the size by a few per cent at most, and understates it for a title of x-height
    letters alone (`test_panel_title_px_reads_known_sizes` checks both). Panels without a frame (3-D axes, images,
    heatmaps) are not read."""
    from PIL import Image
    from scipy import ndimage
    grey = np.asarray(Image.open(io.BytesIO(png)).convert('L'))
    dark, text = grey < line, grey < ink
    sizes = []
    for r in range(1, dark.shape[0] - 30):
        d = np.diff(np.r_[0, dark[r].astype(np.int8), 0])
        for s, e in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
            if e - s < min_run or dark[r - 1, s:e].mean() > 0.5: continue        # not the top edge of a line
            down = dark[r:r + 30, s:e].all(0)                                  # columns dark for 30 rows: the side lines
            left, right = np.flatnonzero(down[:10]), np.flatnonzero(down[-10:])   # (a tick mark may stick out past them)
            if not (len(left) and len(right)) or dark[r + 3, s + 10:e - 10].mean() > 0.5: continue   # a line, not a filled box
            band = text[max(0, r - reach):r - 1, s + left[0]:e - 10 + right[-1] + 1]
            rows = np.flatnonzero(band.any(1))
            if not len(rows): continue
            lo = hi = rows[-1]
            while lo > 0 and band[max(0, lo - join - 1):lo].any(): lo -= 1
            while not band[lo].any(): lo += 1
            boxes = ndimage.find_objects(ndimage.label(band[lo:hi + 1])[0])
            bottoms = np.bincount([b[0].stop for b in boxes], weights=[b[1].stop - b[1].start for b in boxes])
            base = int(np.argmax(bottoms))                                     # the baseline: where most ink ends
            sizes.append(max(base - b[0].start for b in boxes if abs(b[0].stop - base) <= 1) / 0.76)
    return sizes


def test_panel_title_px_reads_known_sizes():
    "The title measure on figures of known title sizes, titles as the lessons write them: at most 5 % over, 25 % under."
    from matplotlib.figure import Figure
    titles = ['moons (8000×2)', 'step 83/500', 'step 0/500: $x_T$', 't = 50, ᾱ = 0.74', 'ᾱₜ (signal kept)', 'βₜ (log scale)',
              'w = 4.0', 'held-out data']
    for pt in (7, 8, 10, 12, 16):
        fig = Figure(figsize=(2.6 * len(titles), 2.4), dpi=100)
        for i, t in enumerate(fig.subplots(1, len(titles))): t.set_title(titles[i], fontsize=pt); t.plot([0, 1])
        buf = io.BytesIO(); fig.savefig(buf, format='png'); px = pt * 100 / 72
        got = panel_title_px(buf.getvalue())
        assert len(got) == len(titles), (pt, got)
        assert all(0.75 * px <= g <= 1.05 * px for g in got), (pt, px, [round(g, 1) for g in got])


def _column_px(site, browser) -> int:
    "The width the site gives a cell's output (a figure is drawn at most this wide), at the tests' `VIEWPORT`."
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(f"{site}/04_sampling.html", wait_until='load')
        return page.evaluate("document.querySelector('div.cell_output').clientWidth")
    finally: page.close()


def _library_figures():
    "The library's figure makers, as the lessons call them (several panels: the widest each makes), on small data."
    import torch
    from ddpm_nb.data import load_dataset, plot_dataset, plot_digits
    from ddpm_nb.schedules import NoiseScheduler, plot_forward
    from ddpm_nb.sampling import plot_chain, plot_beside
    from ddpm_nb.experiments import plot_vs_T, plot_beta_heatmap
    from ddpm_nb.sweep import load_results
    from ddpm_nb.widgets import forward_view
    X = load_dataset('moons', n_samples=400)[0]; H = load_dataset('helix', n_samples=400)[0]
    D = load_dataset('digits')[0][:64]
    df = load_results(REPO / 'results' / 'sweep.csv')
    yield 'plot_dataset', plot_dataset(X, title='moons').figure
    yield 'plot_dataset (3-D)', plot_dataset(H, title='helix').figure
    yield 'plot_digits', plot_digits(D, title='digits').figure
    yield 'plot_forward', plot_forward(X, NoiseScheduler(100, 'linear'), label='linear')[0].figure
    yield 'plot_chain (7 panels)', plot_chain(torch.randn(101, 200, 2), 7, title='chain')[0].figure
    for name, data in (('2-D', X), ('3-D', H), ('64-D', D)):
        yield f'plot_beside ({name}, 5 panels)', plot_beside(data, {f'model {i}': data for i in range(4)}, suptitle='samples')
    yield 'plot_vs_T', plot_vs_T(df, 'moons', 'emd').figure
    yield 'plot_beta_heatmap', plot_beta_heatmap(df, 'manycircles', 'course_nll').figure
    yield 'forward_view', forward_view(100, 1e-3, 0.02, 'linear', 50, X)[0]


def test_library_figures_have_legible_titles(site, browser):
    """Every panel title of the library's figures (framed or not: 3-D axes, images and heatmaps too), at the size the
    site draws the figure: its font size at the figure's dpi, scaled by the column's width over the figure's (saved as
    the notebooks show it, `bbox_inches='tight'`)."""
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from PIL import Image
    column, small = _column_px(site, browser), []
    for name, fig in _library_figures():
        buf = io.BytesIO(); fig.savefig(buf, format='png', bbox_inches='tight')
        width = Image.open(buf).size[0]
        for ax in fig.axes:
            for title in (ax.title, ax._left_title, ax._right_title):
                if title.get_text():
                    px = title.get_fontsize() * fig.dpi / 72 * min(1, column / width)
                    if px < MIN_TITLE_PX: small.append((name, title.get_text()[:30], round(px, 1)))
        plt.close(fig)
    assert column > 600, column
    assert not small, f"panel titles under {MIN_TITLE_PX} px in a {column}-px column: {small}"


@functools.lru_cache(maxsize=None)
def _shots() -> frozenset:
    "The screenshots the pages show (`nbs/images`): pictures of a browser, not figures, so their titles are not read."
    return frozenset(p.read_bytes() for p in (REPO / 'nbs' / 'images').glob('*.png'))


@pytest.fixture(scope='module')
def site():
    "`_docs/` served on a free port of 127.0.0.1; yields the base URL."
    if not (SITE / 'index.html').exists():
        pytest.fail(f"no site at {SITE}: build it with `make docs`")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(SITE))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try: yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally: srv.shutdown(); srv.server_close()


@pytest.fixture(scope='module')
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make browser-deps`)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try: yield b
        finally: b.close()


def _pages():
    return sorted(p.name for p in SITE.glob('*.html')) if SITE.exists() else []


def _notebook_pages():
    return [p for p in _pages() if (REPO / 'nbs' / p.replace('.html', '.ipynb')).exists()]


def test_every_notebook_is_a_page_in_lesson_order():
    stems = sorted(p.stem for p in (REPO / 'nbs').glob('*.ipynb'))
    assert stems and all((SITE / f'{s}.html').exists() for s in stems), [s for s in stems if not (SITE / f'{s}.html').exists()]
    assert (SITE / 'api.html').exists() and (SITE / 'search.html').exists() and (SITE / 'genindex.html').exists()
    home = (SITE / 'index.html').read_text(encoding='utf-8')
    order = [home.find(f'href="{s}.html"') for s in stems if s != 'index']
    assert all(i > 0 for i in order) and order == sorted(order), "the sidebar does not list the lessons in order"


@pytest.mark.parametrize('name', _pages())
def test_page(site, browser, name):
    outside = []
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.route('**/*', lambda route: (route.continue_() if route.request.url.startswith(site) or
                                          route.request.url.startswith('data:') else
                                          (outside.append(route.request.url), route.abort())))
        page.goto(f"{site}/{name}", wait_until='load')
        page.wait_for_function("!window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)", timeout=30_000)
        page.evaluate("window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
        page.wait_for_timeout(200)
        text = page.evaluate("document.querySelector('main, .bd-article, body').innerText")
        for raw in RAW:
            at = text.find(raw)
            assert at < 0, f"{name}: raw TeX {raw!r} visible: …{text[max(0, at - 80):at + 80]!r}…"
        m = re.search(r'^\s*#\|.*$', text, re.M)
        assert not m, f"{name}: an nbdev directive is visible: {m.group(0)!r}"
        if _has_math(name[:-5]):
            assert page.locator('mjx-container').count() > 0, f"{name}: the notebook has math, the page shows none typeset"
            assert page.locator('mjx-merror').count() == 0, f"{name}: MathJax reports an error: {page.locator('mjx-merror').first.get_attribute('data-mjx-error')}"
        imgs = page.evaluate("[...document.images].map(i => [i.currentSrc || i.src, i.complete, i.naturalWidth, i.width])")
        bad = [src[:120] for src, complete, w, _ in imgs if not (complete and w > 0)]
        assert not bad, f"{name}: images that did not load: {bad}"
        small = []
        for src, _, natural, shown in imgs:                  # each figure's panel titles, at the size the page draws them
            path = SITE / urllib.parse.unquote(urllib.parse.urlsplit(src).path).lstrip('/')
            if not (src.startswith(site) and path.suffix == '.png' and path.is_file()): continue
            png = path.read_bytes()
            if png in _shots(): continue
            sizes = [round(px * shown / natural, 1) for px in panel_title_px(png)]
            if sizes and min(sizes) < MIN_TITLE_PX: small.append((path.name[:12], natural, shown, min(sizes)))
        assert not small, f"{name}: panel titles under {MIN_TITLE_PX} px (image, its width, shown at, smallest title px): {small}"
        links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        for href in set(links):
            if not href.startswith(site): continue
            u = urllib.parse.urlsplit(href)
            path = urllib.parse.unquote(u.path).lstrip('/') or 'index.html'
            target = SITE / path
            if target.is_dir(): target = target / 'index.html'
            assert target.is_file(), f"{name}: link to a missing page {href}"
            if u.fragment and target.suffix == '.html':
                assert urllib.parse.unquote(u.fragment) in _ids(target), f"{name}: link to a missing anchor {href}"
        assert not outside, f"{name}: fetched from outside the site: {outside[:5]}"
    finally:
        page.close()


def test_api_entry_shows_its_docstring(site, browser):
    from ddpm_nb.schedules import NoiseScheduler
    doc = ' '.join(NoiseScheduler.add_noise.__doc__.replace('`', '').split())[:60]
    page = browser.new_page()
    try:
        # the API index links to the entry, which sits on the page of the notebook that teaches it
        page.goto(f"{site}/api.html")
        link = page.locator('a[href$="#ddpm_nb.schedules.NoiseScheduler.add_noise"]')
        assert link.count() >= 1, "the API index has no entry for NoiseScheduler.add_noise"
        link.first.click()
        page.wait_for_load_state('load')
        assert page.url.split('#')[0].endswith('01_schedules.html'), page.url
        entry = page.locator('dt[id="ddpm_nb.schedules.NoiseScheduler.add_noise"]')
        assert entry.count() == 1
        assert 'add_noise' in entry.inner_text() and '(' in entry.inner_text()          # the signature
        body = ' '.join(entry.locator('xpath=following-sibling::dd[1]').inner_text().split())
        assert doc in body, (doc, body[:300])
    finally:
        page.close()


class _Mentions(HTMLParser):
    """The text a page's Markdown cells made, outside links and code blocks: where a notebook's name must be a link. Left
    out: API entries (docstrings, rendered by autodoc as the library has them) and cell outputs (what code printed)."""
    SKIP = {'a', 'pre', 'script', 'style', 'nav', 'dl'}
    def __init__(self):
        super().__init__(); self.depth, self.in_main, self.text, self.divs = 0, 0, [], []
    def handle_starttag(self, tag, attrs):
        if tag == 'main' or dict(attrs).get('id') == 'main-content': self.in_main += 1
        if tag in self.SKIP: self.depth += 1
        if tag == 'div':
            out = 'cell_output' in (dict(attrs).get('class') or '')
            self.divs.append(out); self.depth += out
    def handle_endtag(self, tag):
        if tag in self.SKIP: self.depth = max(0, self.depth - 1)
        if tag == 'div' and self.divs: self.depth -= self.divs.pop()
        if tag == 'main': self.in_main = max(0, self.in_main - 1)
    def handle_data(self, data):
        if self.in_main and not self.depth: self.text.append(data)


def test_notebook_mentions_are_links():
    "Every mention of a notebook (`05_metrics`, notebook 03a_runs) in a page's text is a link to its page."
    stems = {p.stem for p in (REPO / 'nbs').glob('*.ipynb')} - {'index'}
    pat = re.compile(r'(?<![\w/.-])(' + '|'.join(sorted(map(re.escape, stems), key=len, reverse=True)) + r')(?![\w/.-])')
    bare = {}
    for page in _notebook_pages() + ['index.html']:
        p = _Mentions(); p.feed((SITE / page).read_text(encoding='utf-8'))
        found = {m.group(1) for m in pat.finditer(' '.join(p.text))} - {page[:-5]}
        if found: bare[page] = sorted(found)
    assert not bare, f"notebook names that are not links: {bare}"


def test_sidebar_is_numbered():
    "The sidebar gives each lesson its notebook's number, as the text names them (03a · …)."
    home = (SITE / 'index.html').read_text(encoding='utf-8')
    for s in sorted(p.stem for p in (REPO / 'nbs').glob('*.ipynb') if p.stem != 'index'):
        m = re.search(rf'<a[^>]*href="{re.escape(s)}\.html"[^>]*>(.*?)</a>', home, re.S)
        assert m, f"no sidebar entry for {s}"
        label = re.sub(r'<[^>]+>', '', m.group(1)).strip()
        assert label.startswith(s.split('_')[0] + ' ·'), f"the sidebar entry of {s} is {label!r}, without its number"
