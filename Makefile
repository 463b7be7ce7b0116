# DTE Desktop — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test demo lint contract format servers test-tools clean help

help:
	@echo "make run    - create .venv, install, open the app on the demo database"
	@echo "make test   - create .venv, install .[test], start/verify databases, lint, import contract, pytest"
	@echo "make demo   - build the demo database and print its catalog (headless)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

run: $(STAMP)
	$(VENV)/bin/dte-desktop

demo: $(STAMP)
	$(VENV)/bin/dte demo

servers:
	@bash scripts/ensure_servers.sh

test-tools:
	@bash scripts/ensure_test_tools.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check dte_desktop tests
	$(VENV)/bin/ruff format --check dte_desktop tests

contract: $(STAMP)
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format dte_desktop tests
	$(VENV)/bin/ruff check --fix dte_desktop tests

test: $(STAMP) servers test-tools lint contract
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
