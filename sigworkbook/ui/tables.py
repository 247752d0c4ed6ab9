"""Editable tables: a list field of the plan shown as rows of inputs, with add and remove."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan.fields import field_spec, row_noun
from sigworkbook.plan.fieldtypes import new_id
from sigworkbook.plan.model import ROW_TITLE_FIELDS
from sigworkbook.plan.paths import get_path
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.controls import FieldControl, summary_value
from sigworkbook.ui.parts import error_html
from sigworkbook.workspace import Loaded

RowTitle = Callable[[dict[str, Any], int], str]


def _default_title(row: dict[str, Any], index: int, noun: str = "Row") -> str:
    for key in ROW_TITLE_FIELDS:
        if isinstance(row.get(key), str) and row[key].strip():
            return str(row[key])
    return f"{noun} {index + 1}"


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
        title: RowTitle | None = None,
    ) -> None:
        self.session = session
        self.path = path
        self.spec = field_spec(path)
        self.columns = list(columns)
        self.new_row = new_row or (lambda: {})
        noun = row_noun(path)
        self.title: RowTitle = title or (lambda row, index: _default_title(row, index, noun))
        self.rows_box = styles.vbox()
        self.add_button = styles.button(add_label, icon="plus", fit=True)
        self.add_button.add_class("swb-add")
        on_click(
            self.add_button,
            self.add,
            reads_typing=False,
            once=True,
            state=lambda: (session.loaded.revision, session.has_pending),
        )
        self.message = styles.html()
        self._ids: list[str] = []
        self._open: set[str] = set()
        heading = styles.html(Markup("<h3 class='swb-table-title'>{}</h3>").format(self.spec.label))
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
        self._refill(row_id)

    def fold_row(self, row_id: str) -> bool:
        """Fold the row back into its summary line once what was typed in it is saved.

        False, and the row stays open with a message, while one of its fields holds a change
        that is not saved: refused (its error shows), waiting for a choice between two
        versions, or not saved for another reason (a busy or read-only workspace).
        """
        self.session.flush()
        box = self._box(row_id)
        if box is None:
            return False
        unsettled = [c for c in box.controls if c.is_dirty() or c.in_conflict or c.has_problem]
        if unsettled:
            name = self.title(box.row, self._ids.index(row_id))
            self.message.value = error_html(
                f"{name} stays open: a change in it is not saved yet "
                "(see the message under the field)."
            )
            return False
        self.message.value = ""
        self._open.discard(row_id)
        self._refill(row_id)
        return True

    def is_open(self, row_id: str) -> bool:
        return row_id in self._open

    def _save(self, change: Callable[[Any], Any]) -> bool:
        ok = self.session.update(self.path, change)
        self.message.value = "" if ok else error_html(self.session.status.message)
        self._render()
        return ok

    def _plan_changed(self, loaded: Loaded) -> None:
        rows = self.rows
        if [r.get("id") for r in rows] != self._ids:
            self._render()
            return
        for index, (box, row) in enumerate(zip(self.rows_box.children, rows, strict=True)):
            box.row = row
            self._label(box, index)
            if box.summary is not None:
                box.summary.value = self._summary_html(row)

    def _render(self) -> None:
        """Show the rows as they are now. A row still at its place keeps its widgets (someone
        adding a row does not interrupt typing in another); the others are built anew."""
        old = list(self.rows_box.children)
        rows = self.rows
        ids = [str(r.get("id")) for r in rows]
        kept = {
            index: box
            for index, box in enumerate(old)
            if index < len(ids) and box.row_id == ids[index]
        }
        for index, box in enumerate(old):
            if kept.get(index) is not box:
                self._forget(box)
        self._ids = ids
        self._open &= set(ids)
        boxes = []
        for index, row in enumerate(rows):
            box = kept.get(index)
            if box is None:
                box = self._row(index, row)
            elif (box.row_id in self._open) != bool(box.controls):
                box.row = row
                self._fill(box, index)
            else:
                box.row = row
                self._label(box, index)
                if box.summary is not None:
                    box.summary.value = self._summary_html(row)
            boxes.append(box)
        self.rows_box.children = boxes
        for box in old:  # free their models in the kernel and the browser
            if box not in boxes:
                styles.close_tree(box)

    def _box(self, row_id: str) -> Any:
        if row_id not in self._ids:
            return None
        return self.rows_box.children[self._ids.index(row_id)]

    def _forget(self, box: widgets.Widget) -> None:
        for control in getattr(box, "controls", []):
            self.session.unregister(control)

    def summary(self, row: dict[str, Any]) -> str:
        """The row's fields in one line of plain text, e.g. 'Online meeting · Owner: Ana'.

        The field that names the row (its heading) is left out; long texts are shortened.
        """
        title_key = next((k for k in ROW_TITLE_FIELDS if k in self.columns and row.get(k)), None)
        parts = []
        for column in self.columns:
            spec = field_spec(f"{self.path}.*.{column}")
            value = get_path(row, column, None)
            if column == title_key or value in (None, "", []):
                continue
            text = summary_value(spec, value)
            if text:
                parts.append(text)
        return " · ".join(parts)

    def _summary_html(self, row: dict[str, Any]) -> Markup | str:
        filled = any(get_path(row, c, None) not in (None, "", []) for c in self.columns)
        text = self.summary(row) if filled else "Nothing filled in yet"
        return Markup('<p class="swb-row-summary">{}</p>').format(text) if text else ""

    def _row(self, index: int, row: dict[str, Any]) -> widgets.VBox:
        row_id = str(row.get("id"))
        toggle = styles.button("Edit", icon="pencil")
        toggle.add_class("swb-edit")
        on_click(
            toggle,
            lambda: self.fold_row(row_id) if self.is_open(row_id) else self.open_row(row_id),
            reads_typing=True,
        )
        remove = styles.button("Remove", icon="trash")
        remove.add_class("swb-remove")
        on_click(remove, lambda: self.remove(row_id), reads_typing=False)
        box = styles.vbox([], "swb-card", "swb-row")
        box.row_id, box.row = row_id, row
        box.heading, box.toggle, box.remove_button = styles.html(), toggle, remove
        box.actions = styles.hbox([toggle, remove], "swb-row-actions")
        box.controls, box.summary, box.middle = [], None, []
        self._label(box, index)
        self._fill(box, index)
        return box

    def opened(self, controls: dict[str, FieldControl]) -> None:
        """Called with a row's inputs, by field, each time the row is opened (for subclasses)."""

    def _label(self, box: Any, index: int) -> None:
        """The row's heading and its buttons' tooltips, from the row as it is now."""
        name = self.title(box.row, index)
        heading = Markup("<h4 class='swb-row-title'>{}</h4>").format(name)
        if box.heading.value != heading:
            box.heading.value = heading
        box.remove_button.tooltip = f"Remove {name}"
        box.toggle.tooltip = f"Fold {name} into one line" if box.controls else f"Edit {name}"

    def _refill(self, row_id: str) -> None:
        box = self._box(row_id)
        if box is not None:
            self._fill(box, self._ids.index(row_id))

    def _fill(self, box: Any, index: int) -> None:
        """Put the row's inputs (open) or its summary line (folded) between its heading and its
        buttons; the heading and buttons stay, so a button that was pressed keeps the focus."""
        old = box.middle
        self._forget(box)
        if box.row_id in self._open:
            box.controls = [
                FieldControl(
                    self.session,
                    f"{self.path}.{index}.{column}",
                    spec_path=f"{self.path}.*.{column}",
                    row=(self.path, box.row_id, column),
                )
                for column in self.columns
            ]
            # Long text (drafts, notes, mitigations) gets the row's whole width, under the
            # grid of short fields (the widgets front end ignores a grid child's grid-column).
            short = [c for c in box.controls if not c.spec.traits.paragraphs]
            long = [c for c in box.controls if c.spec.traits.paragraphs]
            grid = widgets.GridBox(
                short,
                layout=styles.layout(grid_template_columns="repeat(auto-fill, minmax(260px, 1fr))"),
            )
            box.middle, box.summary = [grid, *long], None
            self.opened({c.path.rsplit(".", 1)[-1]: c for c in box.controls})
            box.toggle.description, box.toggle.icon = "Close", "chevron-up"
            box.toggle.add_class("swb-open")  # the page script mirrors it as aria-expanded
            box.remove_class("swb-row--folded")
        else:
            box.controls = []
            box.summary = styles.html(self._summary_html(box.row))
            box.middle = [box.summary]
            box.toggle.description, box.toggle.icon = "Edit", "pencil"
            box.toggle.remove_class("swb-open")
            box.add_class("swb-row--folded")
        self._label(box, index)
        box.children = [box.heading, *box.middle, box.actions]
        for part in old:
            styles.close_tree(part)
