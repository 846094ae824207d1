"""Sphinx configuration of the course site (`make docs`; see docs/build.py, which lays out the pages and runs Sphinx).

The pages are the committed notebooks, rendered as they are (myst-nb, no execution); the theme is sphinx-book-theme;
math is typeset by a local copy of MathJax 3 (the `django-static-mathjax` package), copied into the site: no CDN."""
import os, re, sys
from pathlib import Path

ROOT = Path(os.environ.get('DDPM_NB_ROOT', Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(ROOT))                      # autodoc imports the library from the checkout

project = 'ddpm_nb'
author = 'ddpm_nb maintainers'
copyright = '2026 onwards, ddpm_nb maintainers'
try:
    from ddpm_nb import __version__ as release
except Exception:                                 # the site still builds its pages without the library
    release = ''

extensions = ['myst_nb', 'sphinx.ext.autodoc', 'sphinx.ext.mathjax']
exclude_patterns = ['_build', '**.ipynb_checkpoints']
master_doc = 'index'
default_role = 'code'                              # `x` in a docstring is code, as in the notebooks' Markdown

# notebooks as committed: never executed here; hidden cells are removed by docs/build.py before Sphinx sees them
nb_execution_mode = 'off'
nb_merge_streams = True
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence']
myst_dmath_double_inline = True
myst_heading_anchors = 3
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']

autodoc_typehints = 'signature'
autodoc_inherit_docstrings = False                 # a method without a docstring of its own shows none, not torch's
autodoc_member_order = 'bysource'
autodoc_default_options = {'undoc-members': False}
add_module_names = False

# MathJax 3 from the site itself (docs/build.py copies it to _static/mathjax)
mathjax_path = 'mathjax/tex-chtml.js'
mathjax3_config = {'tex': {'inlineMath': [['\\(', '\\)']], 'displayMath': [['\\[', '\\]']]},
                   'options': {'processHtmlClass': 'tex2jax_process|mathjax_process|math|output_area'}}

html_theme = 'sphinx_book_theme'
html_title = 'ddpm_nb: a course workbook on denoising diffusion'
html_static_path = ['_static']
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    'show_toc_level': 2,
    'use_download_button': False,
    'use_fullscreen_button': False,
    'home_page_in_toc': True,
    'show_navbar_depth': 1,
    # nothing from the network: no repository buttons, no launch buttons, no analytics
    'use_repository_button': False, 'use_issues_button': False, 'use_edit_page_button': False,
    'launch_buttons': {},
}


_TICKS = re.compile(r'(?<!`)`([^`]+)`(?!`)(\w?)')


def _md_docstring(app, what, name, obj, options, lines):
    "Docstrings are written as the notebooks' Markdown: a `name` in backticks is code (an inline literal in reST)."
    for i, line in enumerate(lines):      # `DDPM`s: the literal, then its letters (reST needs the escaped space)
        lines[i] = _TICKS.sub(lambda m: f"``{m.group(1)}``" + (f"\\ {m.group(2)}" if m.group(2) else ''), line)


def setup(app):
    app.connect('autodoc-process-docstring', _md_docstring)
    _unpadded_eval_rst()


def _unpadded_eval_rst():
    """myst-parser parses an `eval-rst` block after as many blank lines as the block's line number, so that reST's line
    numbers match the page's; myst-nb numbers a notebook's cells 10 000 lines apart, so the API entry under cell k was
    parsed after about 10 000·k blank lines: 45 million in all, 95 % of Sphinx's time in a profile (the build took 108 s,
    and takes 17 s without them). The API entries are `eval-rst` blocks that docs/build.py writes itself (autodoc needs
    reST), so `eval-rst` blocks are parsed from their first line: a warning from inside one names a line of the block,
    not of the page."""
    from myst_parser.mdit_to_docutils import base
    render = base.DocutilsRenderer.render_restructuredtext
    def render_unpadded(self, token):
        token_line = base.token_line
        base.token_line = lambda token, default=None: 0       # read at call time by render_restructuredtext: no padding
        try: render(self, token)
        finally: base.token_line = token_line
    base.DocutilsRenderer.render_restructuredtext = render_unpadded
