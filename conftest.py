"""Repository-wide pytest set-up: the notebooks run against a fresh demo workspace."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Give notebook kernels (which inherit this environment) a workspace holding the demo SIG."""
    if not config.getoption("--nbval", default=False):
        return
    from sigworkbook.demo import add_demo
    from sigworkbook.workspace import Workspace

    folder = tempfile.mkdtemp(prefix="sigworkbook-nbval-")
    with Workspace.open(folder, create=True) as workspace:
        add_demo(workspace)
    os.environ["SIGWORKBOOK_WORKSPACE"] = folder
    os.environ["SIGWORKBOOK_SIG"] = "home-safely"
    os.environ["SIGWORKBOOK_AUTHOR"] = "nbval"
