# FieldScreen developer entry points. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# pytest-xdist is not used: the SIGKILL and Qt tests are kept bounded instead.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test lint translations bench syscheck clean

help: ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency list changes: the second `make` is instant.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(STAMP) ## create .venv and install FieldScreen with its dev tools

syscheck: setup ## check Qt's system libraries; one line naming apt packages if any are missing
	@$(PY) -m screening.syscheck

run: setup syscheck ## start the app on the encrypted store in your user data folder
	$(VENV)/bin/fieldscreen

test: setup ## ruff, then the whole test suite (Qt offscreen)
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: setup ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy screening

bench: setup ## benchmarks: prints figures (not part of make test)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
