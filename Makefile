# Short commands for Aduan. `make demo` and `make test` are the two a new user needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: install install-runtime run demo test unit lint bench docs translations clean

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The runtime alone (what `make run` needs); a current dev install below includes it.
$(RUNTIME): pyproject.toml | $(BIN)/pip
	test $(STAMP) -nt pyproject.toml || $(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

# The runtime and the dev tools (pytest, ruff, mypy, import-linter, Babel, ...).
$(STAMP): pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP) $(RUNTIME)

install-runtime: $(RUNTIME)

install: $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

## run: install the runtime only, then serve the web app, API and scheduler on SQLite (aduan.db) at $(HOST):$(PORT) (make run PORT=8080); email goes to a local catch-all, saved in demo-mail/
run: install-runtime
	$(BIN)/aduan serve --host $(HOST) --port $(PORT) --catch-mail demo-mail

## demo: install the runtime only, create demo.db (SQLite) and walk sample cases through the CLI
demo: install-runtime
	ADUAN=$(BIN)/aduan bash scripts/demo.sh

## test: install, then lint, type-check and run every test (unit, integration on SQLite and PostgreSQL, e2e)
test: install lint
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit -q

lint: install
	$(BIN)/ruff check aduan tests bench
	$(BIN)/ruff format --check aduan tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: print throughput, memory and query plans (numbers, not assertions)
bench: install
	$(BIN)/python bench/lifecycle.py --db both
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/notify.py

docs: install
	$(BIN)/python -m aduan.workflow.diagram

## translations: extract the Indonesian texts (msgids) into aduan/locale/aduan.pot, merge them into the English catalog, compile it (then translate the empty msgstr and run it again)
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k t --no-location --sort-output --project=Aduan --copyright-holder=Aduan -o aduan/locale/aduan.pot .
	$(BIN)/pybabel update -D aduan -i aduan/locale/aduan.pot -d aduan/locale --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -D aduan -d aduan/locale --statistics

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache
