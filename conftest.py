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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files holding a slow test first, the rest in their order: `make test` hands whole
    files to two workers in this order (`--dist loadfile --no-loadscope-reorder`), so the
    longest start early instead of one running last while the other worker has nothing left."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)
