# Two commands for a fresh clone (each sets itself up):
#   make demo   train a DDPM on moons, sample, evaluate; prints where the results went
#   make test   every test: nbdev_test (the notebooks) and pytest (tests/)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv nbtest pytest bench check-sync clean-nbs readme clean

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
	cd nbs && ../$(BIN)/nbdev_test --n_workers 2 --timing

pytest: $(STAMP)
	$(BIN)/python -m pytest -q tests

test: nbtest pytest

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
	rm -rf $(VENV) build dist *.egg-info demo_out nbs/exps
