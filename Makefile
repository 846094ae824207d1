# Two commands for a fresh clone (each sets itself up):
#   make demo   train a DDPM on moons, sample, evaluate; prints where the results went
#   make test   every test: nbdev_test (the notebooks), the course site (make docs) and pytest (tests/)
# and, for reading and teaching:
#   make lab      JupyterLab on nbs/ with the project's environment (start with index, play with 08_explore)
#   make docs     the course site from the committed notebooks, offline, into _docs/ (open _docs/index.html)
#   make explore  08's three explorers as a web app for a lecture (Solara, sliders only) on http://127.0.0.1:8866
#                 (trains the models first; ROOM=1 for the room's network, PROJECTOR=1 for large figures)
# and, for an instructor (nbgrader; see course/README.md and nbs/11_course.ipynb):
#   make assignment                      the student notebooks, from the notebooks' exercise marks, into release/
#   make grade SUBMISSIONS=folder        autograde folder/STUDENT/ASSIGNMENT.ipynb into graded/ (gradebook.csv, feedback/)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow venv nbtest pytest browser-deps bench check-sync clean-nbs readme clean docs lab explore assignment grade

$(STAMP): settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# the CPU build of torch first (an unpinned torch would pull a multi-GB CUDA build)
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/ddpm_nb demo --out demo_out

nbtest: $(STAMP)
	# two notebooks at a time, one torch thread each: two threads each on 2 cores oversubscribe them
	cd nbs && OMP_NUM_THREADS=1 ../$(BIN)/nbdev_test --n_workers 2 --timing

# tests/test_browser.py drives JupyterLab with Debian's chromium (Playwright's own browser download is not used)
browser-deps:
	@test -x /usr/bin/chromium || { echo "installing chromium for tests/test_browser.py"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

# two pytest processes (pytest-xdist) taking tests one at a time from a shared queue (--dist worksteal: 5:10 against 5:39
# with each file whole in one process). So a file's tests may run in any order and in either process, each process with
# its own module fixtures: no test relies on what another wrote (checked by running every file in reverse and shuffled
# order). The tests mostly wait on the processes, servers and browsers they start, so two of them share the 2 cores well.
# The browser tests (the lecture app, JupyterLab) run among the others: they must hold with both cores busy (issue 23).
pytest: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -n 2 --dist worksteal --durations=10 -m 'not slow' tests

# the tests marked slow (minutes each: the wheel in a clean venv, a worker killed mid-sweep, every assignment's mutants,
# the full-size albatross task); CI runs them after `make test`
test-slow: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=10 -m slow tests

# the site test (tests/test_site.py) reads the site that `docs` builds. The notebooks' tests and the site build run at
# once (make -j2, each one's output printed whole when it ends): the site build is one process reading the committed
# notebooks, and it fills the core that nbdev_test leaves idle while its last notebook runs alone
test: $(STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target nbtest docs
	$(MAKE) --no-print-directory pytest

# the course site: every notebook a page as committed (not executed), API entries from ddpm_nb/_modidx.py, MathJax local
docs: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python docs/build.py

# the notebooks in JupyterLab. Its kernels skip the full-length `#| slow` cells (tools/lab_startup.py says how), so Run
# All runs each lesson's quick version in minutes; FULL=1 runs the full-length cells too, as the committed notebooks ran
LAB_PORT ?= 8888
LAB_IPYTHONDIR = build/ipython
lab: $(STAMP)
	mkdir -p $(LAB_IPYTHONDIR)/profile_default/startup
	cp tools/lab_startup.py $(LAB_IPYTHONDIR)/profile_default/startup/00-ddpm-nb.py
	IPYTHONDIR=$(CURDIR)/$(LAB_IPYTHONDIR) $(if $(filter 1,$(FULL)),DDPM_NB_FULL=1) $(BIN)/jupyter lab --ServerApp.root_dir=nbs \
	  --ip=127.0.0.1 --port=$(LAB_PORT) $(if $(filter 0,$(shell id -u)),--allow-root)

# the lecture app (docs/lecture.py says how it is set up, and why): trains and caches the explorers' models first, with
# progress, then serves them. ROOM=1 serves it to the room's network (every interface; anyone who can reach this machine
# can open it), PROJECTOR=1 draws the figures at twice the pixels, WARM=0 serves at once, ALL=1 warms every setting
EXPLORE_PORT ?= 8866
explore: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python docs/lecture.py --port $(EXPLORE_PORT) $(if $(filter 1,$(ROOM)),--room) \
	  $(if $(filter 1,$(PROJECTOR)),--projector) $(if $(filter 0,$(WARM)),--no-warm) $(if $(filter 1,$(ALL)),--all)

# the course (course/course.py drives nbgrader): `assignment` writes nbgrader's sources (solutions, all tests) to
# $(COURSE)/source and the student notebooks to $(RELEASE); `grade` autogrades $(SUBMISSIONS)/STUDENT/ASSIGNMENT.ipynb,
# each in its own process and kernel with $(CELL_TIMEOUT) s per cell, into $(GRADED) (gradebook.csv, feedback/STUDENT/)
COURSE ?= _course
RELEASE ?= release
SUBMISSIONS ?= submissions
GRADED ?= graded
CELL_TIMEOUT ?= 30
assignment: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python course/course.py assignment --out $(COURSE) --release $(RELEASE)

grade: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python course/course.py grade $(SUBMISSIONS) --out $(GRADED) --course $(COURSE) --cell-timeout $(CELL_TIMEOUT)

bench: $(STAMP)
	for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# fails when the exported library or the cleaned notebooks differ from what is committed,
# or when a notebook carries saved widget state (nbdev_clean keeps it; we do not commit it)
check-sync: $(STAMP)
	$(BIN)/python tools/strip_widget_state.py --check
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean
	git status --porcelain -- ddpm_nb nbs | (! grep .) || (echo "nbdev_export/nbdev_clean changed files: run them and commit"; git status --porcelain -- ddpm_nb nbs; exit 1)

# what to run before a commit: export the library, clean the notebooks, strip widget state
clean-nbs: $(STAMP)
	$(BIN)/nbdev_export && $(BIN)/python tools/strip_widget_state.py && $(BIN)/nbdev_clean

# README.md is made from nbs/index.ipynb (quarto, which nbdev_readme needs, is not available here)
readme: $(STAMP)
	$(BIN)/jupyter nbconvert --to markdown --no-input nbs/index.ipynb --output-dir . --output README

clean:
	rm -rf $(VENV) build dist *.egg-info demo_out nbs/exps _docs _course release graded
