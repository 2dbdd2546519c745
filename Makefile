# techsme — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TECHSME := $(BIN)/techsme
# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test bench lint messages clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

## make run: install, migrate the SQLite database under var/, load demo data if empty, serve with the worker
run: $(VENV)/.installed
	$(TECHSME) setup --demo
	$(TECHSME) serve

## make test: install the dev dependencies and run the whole suite (browser tests skip without Chromium)
test: $(VENV)/.installed-dev
	$(TECHSME) compile-messages
	$(BIN)/pytest $(PYTEST_ARGS)

## make bench: benchmarks; results are written under bench/results/ (OpenFisca, for comparison only, gets its own venv)
OPENFISCA_VENV := .venv-openfisca
$(OPENFISCA_VENV)/.installed:
	$(PYTHON) -m venv $(OPENFISCA_VENV)
	$(OPENFISCA_VENV)/bin/pip install --quiet --disable-pip-version-check openfisca-core numpy
	touch $@

bench: $(VENV)/.installed-dev $(OPENFISCA_VENV)/.installed
	OPENFISCA_PYTHON=$(OPENFISCA_VENV)/bin/python $(BIN)/python bench/run_all.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

## make messages: refresh every app's translation catalogue after changing user-facing strings (needs gettext)
APPS_WITH_CATALOGUES := $(patsubst src/techsme/%/locale,%,$(wildcard src/techsme/*/locale))
messages: $(VENV)/.installed-dev
	for app in $(APPS_WITH_CATALOGUES); do \
		(cd src/techsme/$$app && ../../../$(BIN)/python -P -m django makemessages --locale zh_Hans --no-obsolete \
			--settings techsme.settings --pythonpath ../..) || exit 1; \
	done
	$(TECHSME) compile-messages

clean-db:
	rm -f var/techsme.sqlite3
