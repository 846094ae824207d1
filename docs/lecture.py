"""The lecture app (`make explore`): train and cache the explorers' models first, then serve 08's three explorers,
sliders and figures only (docs/explore_app.py), with Solara.

    python docs/lecture.py [--port 8866] [--room] [--projector] [--no-warm] [--warm-only] [--all]

--room       listen on every network interface, so that the room's machines can open http://THIS-HOST:PORT/.
             It exposes the app to anyone who can reach this machine: each visitor gets a session of the explorers,
             run as you in the server's process (sliders only: the page shows no code and runs none, but nothing stops
             a visitor from opening many pages). Use it on a trusted network only; off by default.
--projector  figures at twice the pixels (DDPM_NB_EXPLORE_DPI=160), large enough for a projector.
--no-warm    serve at once; a setting's first use trains its model.
--warm-only  train and cache the models, then stop (before class).
--all        warm every setting the explorers offer, not only the lecture's (moons at every T and schedule, and the
             guidance models): about five times as long.

Why Solara and not Voila (measured with bench/bench_lecture_app.py; the numbers are in results/bench_lecture_app.txt):
Voila runs a Jupyter kernel per page and executes the app's notebook in it from the server (nbclient). On this machine,
with both cores busy, pages stalled at "Executing 3/5/7 of 8" with the kernel idle, also with Voila's pre-heated
kernels and with jupyter_server's kernel manager (voila issue #1428's workaround); and a page load cost a new process
that imports torch (about 6 CPU-s, 460 MB). Closing a page did not shut its kernel down either: the page's shutdown
request carries the `_xsrf` cookie, which Voila's page never sets (403). Solara serves ipywidgets apps without a
Jupyter kernel: one server process, a "virtual kernel" per page, torch imported and the cached models loaded once for
all pages; a closed page's session ends at once, and one whose browser vanished after CULL s.
"""
import argparse, os, sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
APP = DOCS / 'explore_app.py'
CULL = '60s'
PROJECTOR_DPI = 160


def server_env(env=None) -> dict:
    "The environment the server runs in: one torch thread, no telemetry, a disconnected page's session ends after CULL."
    env = dict(os.environ if env is None else env)
    env.setdefault('OMP_NUM_THREADS', '1')
    env.update(SOLARA_TELEMETRY_MIXPANEL_ENABLE='False', SOLARA_KERNEL_CULL_TIMEOUT=CULL)
    return env


def server_command(port: int = 8866, ip: str = '127.0.0.1') -> list:
    "The command that serves the app (Solara, production mode: no auto-reload; its assets from the local package)."
    return [sys.executable, '-m', 'solara', 'run', f'{APP}:page', '--host', ip, '--port', str(port), '--production',
            '--no-open']


def warm(everything: bool = False):
    "Train and cache the models the explorers show (progress shown), as the app will load them."
    from ddpm_nb.widgets import lecture_settings, warm_cache
    epochs = int(os.environ['DDPM_NB_EXPLORE_EPOCHS']) if 'DDPM_NB_EXPLORE_EPOCHS' in os.environ else None
    n = warm_cache(lecture_settings(everything), epochs=epochs)
    print(f"the model cache is warm ({n} trained now)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--port', type=int, default=8866)
    p.add_argument('--room', action='store_true', help="listen on every interface (see above); off by default")
    p.add_argument('--projector', action='store_true', help='figures at twice the pixels')
    p.add_argument('--no-warm', action='store_true', help='serve at once, without training the models first')
    p.add_argument('--warm-only', action='store_true', help='train and cache the models, then stop')
    p.add_argument('--all', action='store_true', help="warm every setting, not only the lecture's")
    a = p.parse_args(argv)
    if not 1 <= a.port <= 65535: p.error(f"--port must be in 1..65535, got {a.port}")
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    if a.projector: os.environ['DDPM_NB_EXPLORE_DPI'] = str(PROJECTOR_DPI)
    if not a.no_warm: warm(a.all)
    if a.warm_only: return 0
    ip = '0.0.0.0' if a.room else '127.0.0.1'
    print(f"the explorers at http://{'THIS-HOST' if a.room else '127.0.0.1'}:{a.port}/ (Ctrl-C stops)"
          + ("; served on every network interface: anyone who can reach this machine can open it" if a.room else ''),
          flush=True)
    # the server takes this process's place (exec), so a signal sent to it — Ctrl-C, or a SIGTERM from whatever started
    # it — reaches the server itself; a child server would outlive a terminated parent, holding its port and memory
    os.execve(sys.executable, server_command(a.port, ip), server_env())


if __name__ == '__main__':
    sys.exit(main())
