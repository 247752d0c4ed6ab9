"""The demo SIG: a complete example plan shipped with the package, for trying the workbook out."""

from __future__ import annotations

import json

from sigworkbook.resources import data_file
from sigworkbook.workspace import Loaded, Workspace

DEMO_FILE = data_file("demo-plan.json")


def add_demo(workspace: Workspace, *, author: str | None = None) -> Loaded:
    """Add the demo SIG to `workspace`, or return it unchanged if it is there already: the
    result's `changed` says which (True only when this call added it)."""
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    if document["id"] in workspace.sig_ids():
        return workspace.load(document["id"])
    return workspace.import_plan(document, author=author or "demo")
