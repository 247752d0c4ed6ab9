"""Finding widgets in a page's tree, for the page tests (no kernel, no browser)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets

from sigworkbook.ui.controls import BoundControl
from sigworkbook.ui.tables import RowsEditor


def walk(widget: Any) -> Iterator[Any]:
    """The widget and everything inside it, depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def find(root: widgets.Widget, kind: type[Any]) -> Any:
    """The first widget of class `kind` in the tree."""
    return next(w for w in walk(root) if isinstance(w, kind))


def control(root: widgets.Widget, path: str) -> Any:
    """The one control bound to the plan field at `path`."""
    found = [w for w in walk(root) if isinstance(w, BoundControl) and w.path == path]
    assert len(found) == 1, f"{len(found)} controls for {path}"
    return found[0]


def editor(root: widgets.Widget, path: str) -> RowsEditor:
    """The table editor of the list field at `path`."""
    return next(w for w in walk(root) if isinstance(w, RowsEditor) and w.path == path)


def open_rows(root: widgets.Widget) -> None:
    """Open every folded row of every table in the tree, as a person choosing "Edit" would."""
    for table in [w for w in walk(root) if isinstance(w, RowsEditor)]:
        for box in table.rows_box.children:
            if box.summary is not None:
                next(b for b in walk(box) if getattr(b, "description", "") == "Edit").click()
