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

setup: $(STAMP)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here), and
# PostgreSQL 15's server programs for the PostgreSQL store's tests (they start their own server).
PG_BIN ?= /usr/lib/postgresql/15/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@[ -x $(PG_BIN)/initdb ] || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql-15; }

demo: setup
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

test: setup system lint typecheck
	$(BIN)/pytest

bench: setup system
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) artifacts .pytest_cache .mypy_cache .ruff_cache
