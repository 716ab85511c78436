# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: run test browser libreoffice lint bench bench-scale clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Anbefal needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes. Errors still show with -qq; the
# notes pip passes on from the build (such as setuptools' general one on
# editable installs) do not: tests/test_packaging.py builds the wheel and
# fails on a warning about our own configuration instead.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --quiet

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/anbefal serve --demo --port $(PORT)

browser: $(VENV)/.installed-test
	@scripts/ensure-browser $(BIN)/python

# The export tests open the CSV in LibreOffice Calc, as a spreadsheet user would.
libreoffice:
	@scripts/ensure-libreoffice

test: $(VENV)/.installed-test browser libreoffice
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# ROWS: answers in the admin benchmark's database (default 1,000,000).
bench: $(VENV)/.installed-test browser
	@scripts/ensure-wrk
	$(BIN)/python -m bench $(if $(ROWS),--rows $(ROWS)) $(BENCH_ARGS)

# The admin benchmark alone at 10,000,000 answers (about 10 minutes to fill).
bench-scale: $(VENV)/.installed-test
	$(BIN)/python -m bench.admin --rows $(or $(ROWS),10000000) --runs 3

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
