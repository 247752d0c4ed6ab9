# Two entry points for a fresh Debian machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKSPACE ?= $(CURDIR)/workspace
STAMP := $(VENV)/.installed

.PHONY: setup system run demo test lint typecheck unit e2e nbval bench clean lock

CONSTRAINTS := requirements/constraints.txt

# Installs exactly the versions CI tested (requirements/constraints.txt; `make lock` renews it).
$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP)

# JupyterHub's proxy for the hosting tests and docs/hosting.md's recipe: configurable-http-proxy
# from npm, in a local node_modules (not global, no root needed).
NODE_PREFIX := $(CURDIR)/.node
CHP := $(NODE_PREFIX)/node_modules/.bin/configurable-http-proxy
$(CHP):
	npm install --no-save --no-audit --no-fund --silent --prefix $(NODE_PREFIX) configurable-http-proxy@4

setup: $(STAMP) $(CHP)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here);
# LibreOffice Writer and poppler's pdftotext, which open the Word exports in the tests;
# PostgreSQL 15's server programs for the PostgreSQL store's tests (they start their own server);
# npm (with Node.js) installs JupyterHub's proxy.
PG_BIN ?= /usr/lib/postgresql/15/bin
SYSTEM_PACKAGES := chromium:chromium soffice:libreoffice-writer-nogui pdftotext:poppler-utils \
	$(PG_BIN)/initdb:postgresql-15 npm:npm
system:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

# The app needs only the Python environment (the proxy is for hosting on JupyterHub).
demo: $(STAMP)
	$(BIN)/sigworkbook --workspace $(WORKSPACE) init --demo

run: demo
	$(BIN)/sigworkbook --workspace $(WORKSPACE) serve --sig home-safely

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/deptry .

# Pin every dependency (and theirs): new ones at their newest version, the rest kept;
# `make lock UPGRADE=--upgrade` moves everything to the newest versions that fit pyproject.toml.
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 $(UPGRADE) -o $(CONSTRAINTS) --quiet

typecheck: setup
	$(BIN)/mypy

# The tests that need no browser (unit, nbval over the notebooks), then the browser tests, each
# in two processes, a notebook's or a module's tests in one (every browser test file starts its
# own servers on free ports and waits on conditions, so two at once only make them slower).
# --durations: the slowest tests are listed, to keep the whole run well under 20 min.
# --no-loadscope-reorder keeps the order conftest.py gives: files with a slow test first.
# tests/test_benchmarks_smoke.py runs whole in the second run only (its quick tests ran twice).
test: system setup lint typecheck
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not e2e" --ignore=tests/e2e --ignore=tests/test_benchmarks_smoke.py --durations=10
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder tests/e2e tests/test_benchmarks_smoke.py --durations=15

bench: system setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(NODE_PREFIX) artifacts .pytest_cache .mypy_cache .ruff_cache
