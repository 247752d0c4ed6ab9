# Two entry points for a fresh Debian machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKSPACE ?= $(CURDIR)/workspace
STAMP := $(VENV)/.installed

.PHONY: setup system run demo test lint typecheck unit e2e nbval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here);
# LibreOffice Writer and poppler's pdftotext, which open the Word exports in the tests.
SYSTEM_PACKAGES := chromium:chromium soffice:libreoffice-writer-nogui pdftotext:poppler-utils
system:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

demo: setup
	$(BIN)/sigworkbook --workspace $(WORKSPACE) init --demo

run: demo
	$(BIN)/sigworkbook --workspace $(WORKSPACE) serve --sig home-safely

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

test: setup system lint typecheck
	$(BIN)/pytest

bench: setup system
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) artifacts .pytest_cache .mypy_cache .ruff_cache
