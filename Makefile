# FieldScreen developer entry points. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# pytest-xdist is not used: the SIGKILL and Qt tests are kept bounded instead.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test lint translations catalogs check-strings bench syscheck clean \
	bundle bundle-test
LOCALES := es fr ar pt ru zh_Hans vi tl
PYBABEL := $(VENV)/bin/pybabel

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

catalogs: setup ## compile translations/*/LC_MESSAGES/messages.po into .mo (never hand-edited)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(PYBABEL) -q compile -d translations -D messages; fi

translations: setup ## extract UI strings, update every catalog, compile
	$(PYBABEL) -q extract -F translations/babel.cfg -k N_ -k ngettext:1,2 \
	  --no-wrap --no-location --add-comments=Translators: --sort-by-file \
	  --project=FieldScreen --copyright-holder="FieldScreen project" \
	  -o translations/messages.pot .
	@sed -i '/^"POT-Creation-Date:/d' translations/messages.pot
	@for l in $(LOCALES); do \
	  if [ -f translations/$$l/LC_MESSAGES/messages.po ]; then \
	    $(PYBABEL) -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations -D messages -l $$l; \
	  else \
	    $(PYBABEL) -q init --no-wrap -i translations/messages.pot -d translations -D messages -l $$l; \
	  fi; \
	  sed -i '/^"POT-Creation-Date:/d' translations/$$l/LC_MESSAGES/messages.po; \
	done
	$(MAKE) catalogs

run: setup syscheck catalogs ## start the app on the encrypted store in your user data folder
	$(VENV)/bin/fieldscreen

test: setup catalogs ## ruff and mypy, then the whole test suite (Qt offscreen)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy screening app
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: setup ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy screening app

bench: setup ## benchmarks: prints figures (not part of make test)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

BUNDLE_STAMP := $(VENV)/.bundle-tools
$(BUNDLE_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bundle]'
	@touch $@

bundle: setup catalogs $(BUNDLE_STAMP) ## one-folder PyInstaller build in dist/fieldscreen; prints its size
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN build.spec
	@du -sh dist/fieldscreen

bundle-test: bundle ## run the built bundle offline with an empty HOME and check what it made
	FIELDSCREEN_BUNDLE=dist/fieldscreen QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/bundle

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
