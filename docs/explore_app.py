"""The lecture app's page (`make explore`, served by Solara through docs/lecture.py): 08's three explorers, sliders and
figures only. Solara runs this script for each page in one server process (a "virtual kernel" per page, no Jupyter
kernel): torch and the library are imported once, and the cached models are loaded once for all pages."""
import os
import ipywidgets as widgets
from ddpm_nb.data import load_dataset
from ddpm_nb.widgets import forward_explorer, reverse_explorer, guidance_explorer

# the cached models' epochs: the recipe's, unless DDPM_NB_EXPLORE_EPOCHS says otherwise (as in 08_explore)
EPOCHS = int(os.environ['DDPM_NB_EXPLORE_EPOCHS']) if 'DDPM_NB_EXPLORE_EPOCHS' in os.environ else None
# the figures' pixels per inch: 80, or 160 with `make explore PROJECTOR=1`
DPI = int(os.environ.get('DDPM_NB_EXPLORE_DPI', 80))

INTRO = """<h1>ddpm_nb: the explorers</h1>
<p>The three explorers of the notebook <code>08_explore</code>, for a lecture: sliders and figures. Each readout says
its unit and which way is better. The code behind every slider is in <code>nbs/08_explore.ipynb</code>
(<code>make lab</code>).</p>"""
SECTIONS = [
    ("1. The forward process", "Move T, the β range, the schedule and t: does the chain end in pure noise "
     "(ᾱ_T → 0, KL → 0 nats)?"),
    ("2. The reverse process", "Samples of a trained model beside held-out data. EMD / floor = 1 means as close as two "
     "samples of real data; lower is better."),
    ("3. Classifier-free guidance", "Raise the guidance scale w: class consistency goes up (higher is better), and EMD / "
     "floor to the class goes up too: the samples cover less of their class."),
]


def explorers_page() -> widgets.VBox:
    "The page: an introduction, then each explorer under its heading."
    X, _ = load_dataset('moons')
    boxes = [forward_explorer(X, dpi=DPI), reverse_explorer(epochs=EPOCHS, dpi=DPI), guidance_explorer(epochs=EPOCHS, dpi=DPI)]
    children = [widgets.HTML(INTRO)]
    for (title, text), box in zip(SECTIONS, boxes):
        children += [widgets.HTML(f"<h2>{title}</h2><p>{text}</p>"), box]
    return widgets.VBox(children, layout=widgets.Layout(max_width='1400px', padding='0 1em'))


page = explorers_page()
