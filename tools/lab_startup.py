"""IPython start-up file of `make lab`: Run All in minutes, the full-length runs on request.

A notebook's long runs sit in cells marked `#| slow`, each right after a quick stand-in that sets the same names (a few
epochs, small samples): `nbdev_test` runs the stand-ins only, and the committed figures come from the full runs. In
JupyterLab the same holds by default: a kernel that `make lab` starts skips every `#| slow` cell and prints one line
saying so, so Run All runs the quick version of the lesson. `make lab FULL=1` (the environment variable
DDPM_NB_FULL=1) runs the full-length cells as well, as the committed notebooks were run.

A cell marked `#| live` is the other way round: `nbdev_test` skips it (a test flag, `settings.ini`) and JupyterLab runs
it, quick or full (08_explore's cell that trains the explorers' real models into the model cache).

`make lab` copies this file into `build/ipython/profile_default/startup/` and starts JupyterLab with IPYTHONDIR there;
the notebooks themselves are not changed, and a kernel started any other way runs every cell.
"""
import os


def skip_slow(lines: list) -> list:
    """IPython cleanup transformer: a cell whose leading directives include `slow` (read by nbdev's own parser, as
    `nbdev_test` reads them) becomes a one-line note."""
    if os.environ.get('DDPM_NB_FULL') == '1': return lines
    from fastcore.basics import AttrDict
    from nbdev.process import extract_directives
    if 'slow' not in extract_directives(AttrDict(source=''.join(lines)), remove=False): return lines
    return ["print('A full-length run, skipped: `make lab FULL=1` runs it (the committed outputs are its own).')\n"]


def load_ipython_extension(ip):
    if skip_slow not in ip.input_transformers_cleanup: ip.input_transformers_cleanup.append(skip_slow)


try: load_ipython_extension(get_ipython())               # run as a start-up file  # noqa: F821
except NameError: pass                                    # imported (tests)
