"""Editable tables: a list field of the plan shown as rows of inputs, with add and remove."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from sigworkbook.fields import field_spec
from sigworkbook.fieldtypes import new_id
from sigworkbook.paths import get_path
from sigworkbook.ui import styles
from sigworkbook.ui.controls import FieldControl, summary_value
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
    into even when someone else adds or removes rows meanwhile. A row shows as a one-line
    summary until someone chooses "Edit" (a row just added opens at once): a page with many
    rows stays short and loads fast, since a row's inputs are only built when it is opened.
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
        self._open: set[str] = set()
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
        """Append a new row, opened for editing (saved at once, without losing a row someone
        else just added)."""
        row = {"id": new_id(), **self.new_row()}
        self._open.add(row["id"])
        return self._save(lambda rows: [*(rows or []), row])

    def remove(self, row_id: str) -> bool:
        """Remove the row with id `row_id` (saved at once; the history keeps it)."""
        return self._save(lambda rows: [r for r in rows or [] if r.get("id") != row_id])

    def open_row(self, row_id: str) -> None:
        """Show the row's inputs instead of its summary."""
        self._open.add(row_id)
        self._redraw(row_id)

    def fold_row(self, row_id: str) -> None:
        """Fold the row back into its summary line (what was typed is saved first)."""
        self.session.flush()
        self._open.discard(row_id)
        self._redraw(row_id)

    def is_open(self, row_id: str) -> bool:
        return row_id in self._open

    def _save(self, change: Callable[[Any], Any]) -> bool:
        ok = self.session.update(self.path, change)
        message = html.escape(self.session.status.message)
        self.message.value = "" if ok else f'<div class="swb-error" role="alert">{message}</div>'
        self._render()
        return ok

    def _plan_changed(self, loaded: Loaded) -> None:
        rows = self.rows
        if [r.get("id") for r in rows] != self._ids:
            self._render()
            return
        for index, (box, row) in enumerate(zip(self.rows_box.children, rows, strict=True)):
            if box.summary is not None:
                box.summary.value = self._summary_html(row, index)

    def _render(self) -> None:
        old = self.rows_box.children
        self._forget(old)
        rows = self.rows
        self._ids = [str(r.get("id")) for r in rows]
        self._open &= set(self._ids)
        self.rows_box.children = [self._row(index, row) for index, row in enumerate(rows)]
        for box in old:  # free their models in the kernel and the browser
            styles.close_tree(box)

    def _redraw(self, row_id: str) -> None:
        if row_id not in self._ids:
            return
        index = self._ids.index(row_id)
        old = self.rows_box.children[index]
        self._forget([old])
        children = list(self.rows_box.children)
        children[index] = self._row(index, self.rows[index])
        self.rows_box.children = children
        styles.close_tree(old)

    def _forget(self, boxes: Sequence[widgets.Widget]) -> None:
        for box in boxes:
            for control in getattr(box, "controls", []):
                self.session.unregister(control)

    def summary(self, row: dict[str, Any], index: int) -> str:
        """The row's short fields in one line of plain text, e.g. 'Online meeting · Monthly'."""
        title = self.title(row, index)
        parts = []
        for column in self.columns:
            spec = field_spec(f"{self.path}.*.{column}")
            value = get_path(row, column, None)
            if spec.kind == "prose" or value in (None, "", []):
                continue
            text = summary_value(spec, value)
            if text and text != title:
                parts.append(text)
        return " · ".join(parts)

    def _summary_html(self, row: dict[str, Any], index: int) -> str:
        text = self.summary(row, index) or "Nothing filled in yet"
        return f'<p class="swb-row-summary">{html.escape(text)}</p>'

    def _row(self, index: int, row: dict[str, Any]) -> widgets.VBox:
        row_id = str(row.get("id"))
        name = self.title(row, index)
        title = styles.html(f"<h4 class='swb-row-title'>{html.escape(name)}</h4>")
        remove = styles.button("Remove", icon="trash", tooltip=f"Remove {name}")
        remove.add_class("swb-remove")
        remove.on_click(lambda _: self.remove(row_id))
        if row_id not in self._open:
            summary = styles.html(self._summary_html(row, index))
            edit = styles.button("Edit", icon="pencil", tooltip=f"Edit {name}")
            edit.add_class("swb-edit")
            edit.on_click(lambda _: self.open_row(row_id))
            box = styles.vbox(
                [title, summary, styles.hbox([edit, remove], "swb-row-actions")],
                "swb-card",
                "swb-row",
                "swb-row--folded",
            )
            box.controls = []
            box.summary = summary
            return box
        controls = [
            FieldControl(
                self.session,
                f"{self.path}.{index}.{column}",
                spec_path=f"{self.path}.*.{column}",
                row=(self.path, row_id, column),
            )
            for column in self.columns
        ]
        done = styles.button("Close", icon="chevron-up", tooltip=f"Fold {name} into one line")
        done.add_class("swb-close-row")
        done.on_click(lambda _: self.fold_row(row_id))
        # Long text (drafts, notes, mitigations) gets the row's whole width, under the grid of
        # short fields (the widgets front end ignores a grid child's grid-column).
        short = [c for c in controls if c.spec.kind != "prose"]
        long = [c for c in controls if c.spec.kind == "prose"]
        grid = widgets.GridBox(
            short,
            layout=styles.layout(grid_template_columns="repeat(auto-fill, minmax(260px, 1fr))"),
        )
        box = styles.vbox(
            [title, grid, *long, styles.hbox([done, remove], "swb-row-actions")],
            "swb-card",
            "swb-row",
        )
        box.controls = controls
        box.summary = None
        return box
