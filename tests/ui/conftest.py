"""Fixtures of the page tests: the environment a page's kernel has on a visit."""

from __future__ import annotations

from pathlib import Path

import pytest

REQUEST_VARIABLES = ("SIGWORKBOOK_SIG", "SIGWORKBOOK_AUTHOR", "VOILA_REQUEST_URL", "VOILA_PREHEAT")
"""What would choose a page's SIG or participant from outside the visit's own address."""


@pytest.fixture
def no_request(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No SIG or participant from the environment or a query string."""
    for name in REQUEST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def kernel_root(tmp_path: Path, no_request: pytest.MonkeyPatch) -> Path:
    """A page's kernel as on a visit (see `no_request`), with its workspace in `tmp_path`
    (returned, not created)."""
    no_request.setenv("SIGWORKBOOK_WORKSPACE", str(tmp_path))
    return tmp_path
