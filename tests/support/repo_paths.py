"""Where the repository's parts are, for tests that read or run them, whatever folder a test is in."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository's root folder (this file is tests/support/repo_paths.py)."""
PACKAGE = REPO / "sigworkbook"
WORKBOOKS = REPO / "workbooks"
SCRIPTS = REPO / "tests" / "support" / "scripts"
"""The helper programs tests run as processes of their own (a writer, a faulty session...)."""
