"""Editable tables: a list field of the plan shown as rows of inputs, with add and remove."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from sigworkbook.fields import field_spec
from sigworkbook.fieldtypes import new_id
from sigworkbook.ui import styles
from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.session import Session
from sigworkbook.workspace import Loaded

RowTitle = Callable[[dict[str, Any], int], str]


def _default_title(row: dict[str, Any], index: int) -> str:
    for key in ("title", "name", "indicator", "risk", "channel"):
        if isinstance(row.get(key), str) and row[key].strip():
            return str(row[key])
    return f"Row {index + 1}"


class RowsEditor(widgets.VBox):
    """Rows of a list field (measures, risks, activities, ...), each a small form, saved per field.

    Each field is saved to its row by the row's id, so an edit lands on the row it was typed
    into even when someone else adds or removes rows meanwhile.
    """

    def __init__(
        self,
        session: Session,
        path: str,
        columns: Sequence[str],
        *,
        add_label: str = "Add a row",
        new_row: Callable[[], dict[str, Any]] | None = None,
        title: RowTitle = _default_title,
    ) -> None:
        self.session = session
        self.path = path
        self.spec = field_spec(path)
        self.columns = list(columns)
        self.new_row = new_row or (lambda: {})
        self.title = title
        self.rows_box = styles.vbox()
        self.add_button = widgets.Button(description=add_label, icon="plus")
        self.add_button.add_class("swb-add")
        self.add_button.on_click(lambda _: self.add())
        self.message = styles.html()
        self._ids: list[str] = []
        heading = styles.html(f"<h3 class='swb-table-title'>{html.escape(self.spec.label)}</h3>")
        super().__init__([heading, self.rows_box, self.add_button, self.message])
        self.add_class("swb-table")
        self._render()
        session.on_change(self._plan_changed)

    @property
    def rows(self) -> list[dict[str, Any]]:
        value = self.session.value(self.path)
        return list(value) if isinstance(value, list) else []

    def add(self) -> bool:
        """Append a new row (saved at once, without losing a row someone else just added)."""
        row = {"id": new_id(), **self.new_row()}
        return self._save(lambda rows: [*(rows or []), row])

    def remove(self, row_id: str) -> bool:
        """Remove the row with id `row_id` (saved at once; the history keeps it)."""
        return self._save(lambda rows: [r for r in rows or [] if r.get("id") != row_id])

    def _save(self, change: Callable[[Any], Any]) -> bool:
        ok = self.session.update(self.path, change)
        message = html.escape(self.session.status.message)
        self.message.value = "" if ok else f'<div class="swb-error" role="alert">{message}</div>'
        self._render()
        return ok

    def _plan_changed(self, loaded: Loaded) -> None:
        if [r.get("id") for r in self.rows] != self._ids:
            self._render()

    def _render(self) -> None:
        old = self.rows_box.children
        for box in old:
            for control in getattr(box, "controls", []):
                self.session.unregister(control)
        rows = self.rows
        self._ids = [str(r.get("id")) for r in rows]
        self.rows_box.children = [self._row(index, row) for index, row in enumerate(rows)]
        for box in old:  # free their models in the kernel and the browser
            styles.close_tree(box)

    def _row(self, index: int, row: dict[str, Any]) -> widgets.VBox:
        controls = [
            FieldControl(
                self.session,
                f"{self.path}.{index}.{column}",
                spec_path=f"{self.path}.*.{column}",
                row=(self.path, str(row.get("id")), column),
            )
            for column in self.columns
        ]
        remove = styles.button("Remove", icon="trash", tooltip=f"Remove {self.title(row, index)}")
        remove.add_class("swb-remove")
        row_id = str(row.get("id"))
        remove.on_click(lambda _: self.remove(row_id))
        title = styles.html(f"<h4 class='swb-row-title'>{html.escape(self.title(row, index))}</h4>")
        # Long text (drafts, notes, mitigations) gets the row's whole width, under the grid of
        # short fields (the widgets front end ignores a grid child's grid-column).
        short = [c for c in controls if c.spec.kind != "prose"]
        long = [c for c in controls if c.spec.kind == "prose"]
        grid = widgets.GridBox(
            short,
            layout=styles.layout(grid_template_columns="repeat(auto-fill, minmax(260px, 1fr))"),
        )
        box = styles.vbox([title, grid, *long, remove], "swb-card", "swb-row")
        box.controls = controls
        return box
