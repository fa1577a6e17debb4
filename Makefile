# FieldScreen developer entry points. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# pytest-xdist is not used: the SIGKILL and Qt tests are kept bounded instead.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test lint translations catalogs check-strings bench syscheck clean \
	bundle bundle-test conformance-engines conformance-doc
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

test: setup catalogs conformance-engines ## ruff and mypy, then the whole test suite (Qt offscreen)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy screening app
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: setup ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy screening app

# The reference engines of tests/conformance (issue #17). JavaRosa needs only Java: its
# harness is compiled at test time into .cache/conformance/. Web Forms needs Node >= 20.19
# and its npm packages; without them (or if npm ci fails) those tests skip with the reason.
WEBFORMS := tests/conformance/engines/webforms
conformance-engines: ## npm ci for the Web Forms conformance engine when Node >= 20.19 is here
	@if ! command -v node >/dev/null 2>&1; then \
	  echo "conformance-engines: no node: the Web Forms conformance tests will skip"; \
	elif ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then \
	  echo "conformance-engines: Node $$(node --version) is older than 20.19: the Web Forms conformance tests will skip"; \
	elif [ ! -f $(WEBFORMS)/node_modules/.package-lock.json ] || \
	     [ $(WEBFORMS)/package-lock.json -nt $(WEBFORMS)/node_modules/.package-lock.json ]; then \
	  (cd $(WEBFORMS) && npm ci --no-audit --no-fund --loglevel=error) || \
	  echo "conformance-engines: npm ci failed: the Web Forms conformance tests will skip"; \
	fi

conformance-doc: setup conformance-engines ## regenerate docs/odk-conformance.md from the conformance harness
	$(PY) tools/odk_conformance_doc.py

# BENCH_ARGS: --quick (no 100,000-case store, no doc), --sizes 1000,10000, --only growth,cold
# (python -m bench --help). A full run generates the 1k/10k/100k stores once (.cache/bench).
BENCH_ARGS ?=
bench: setup ## benchmarks: prints figures, writes docs/performance.md (not part of make test)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench $(BENCH_ARGS)

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
