# One Loss, Many Names: build the book and run every check.
#
#   make book   build the HTML book into _build/html (creates .venv on first use)
#   make test   lint, unit/property/accuracy/symbolic tests, nbval on every notebook,
#               notebook hygiene, and a strict book build from a clean _build
#
# Helpers: make notebooks (re-execute the notebooks in place), make bench, make clean.

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

.PHONY: help book test lint pytest book-strict notebooks bench clean venv

help:
	@echo "make book    build the HTML book into _build/html"
	@echo "make test    run every check (lint, pytest + nbval, strict book build)"
	@echo "make notebooks  re-execute every notebook in place (refresh stored outputs)"
	@echo "make bench   run the speed and memory benchmarks"
	@echo "make clean   remove _build and caches (keeps .venv)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book: $(BOOK_INDEX)"

test: $(STAMP)
	@echo "== 1/3 lint (ruff)"
	$(BIN)/ruff check .
	@echo "== 2/3 pytest: unit, property, accuracy, symbolic, docstring examples, notebook hygiene, nbval"
	$(BIN)/python -m pytest tests src/crossent $(NOTEBOOKS) --doctest-modules
	@echo "== 3/3 strict book build from a clean _build"
	$(MAKE) --no-print-directory book-strict

book-strict: $(STAMP)
	rm -rf _build
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book: $(BOOK_INDEX)"

notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --check

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
