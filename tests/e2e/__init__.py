"""End-to-end tests: a real serve process and Debian's Chromium (a package, so that its conftest
never shadows the top-level one that other tests import from)."""
