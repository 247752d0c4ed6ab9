"""The history panel: every revision of the plan, loaded a page at a time, with restore and undo."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.session import Session
from sigworkbook.plan.fields import label
from sigworkbook.plan.paths import (
    canonical_json,
    format_path,
    get_path,
    parse_path,
    row_by_id,
    split_row,
)
from sigworkbook.store import Change
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.workspace import Loaded

SHOWN = 25
"""How many changes the panel loads at first, and how many more each "Show older changes" adds."""

EVERY_FIELD = ""
"""The filter's value for "every field" (the whole plan's path)."""

_MISSING = object()


def _value_text(change: Change) -> str:
    if not change.path:
        return change.note or "the whole plan"
    text = change.value if isinstance(change.value, str) else json.dumps(change.value)
    text = text or "(emptied)"
    return text if len(text) <= 80 else text[:79] + "…"


def describe(change: Change) -> str:
    """One line for a revision: when, who, which field and the new value (escaped HTML)."""
    when = change.at.astimezone().strftime("%d %b %H:%M")
    who = html.escape(change.author or "someone")
    field = html.escape(_where(change.path) if change.path else "Whole plan")
    value = html.escape(_value_text(change))
    note = f" <em>({html.escape(change.note)})</em>" if change.note and change.path else ""
    return (
        f'<span class="swb-rev">#{change.revision}</span> {when} · <strong>{who}</strong> · '
        f"{field}: <q>{value}</q>{note}"
    )


def _where(path: str) -> str:
    """A field's label, with its table and row for a field inside a table row
    (`schedule.activities.2.title` -> "Activities, row 3: Title")."""
    row = _row_split(path)
    if row is None or not row[2]:
        return label(path)
    table, index, _ = row
    return f"{label(table)}, row {index + 1}: {label(path)}"


def field_group(path: str) -> str:
    """The path the filter offers for a change at `path`: a table's path for anything in one of
    its rows (`schedule.activities.2.title` -> `schedule.activities`), else the path itself."""
    row = split_row(parse_path(path))
    return path if row is None else format_path(row[0])


def _row_split(path: str) -> tuple[str, int, str] | None:
    """(table path, row index, path within the row) for a path inside a table row, as
    `Workspace.restore` puts it back by the row's id; None for any other path."""
    row = split_row(parse_path(path))
    if row is None or not row[2]:
        return None
    table, index, inner = row
    return format_path(table), index, format_path(inner)


class HistoryPanel(widgets.Accordion):
    """A closed-by-default panel listing revisions newest first, SHOWN at a time, each restorable,
    with a filter by field and 'Undo my last edit'. It reads the store only while open."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.undo_button = styles.button(
            "Undo my last edit", tooltip="Put back the field you changed last", fit=True
        )
        on_click(self.undo_button, self.undo, reads_typing=True)
        self.filter = widgets.Dropdown(
            options=[("every field", EVERY_FIELD)],
            value=EVERY_FIELD,
            description="Show changes to",
            layout=styles.layout(),
            style=styles.style(widgets.Dropdown, description_width="initial"),
        )
        self.filter.observe(lambda _: self._filter_changed(), names="value")
        self.message = styles.html()
        self.rows = widgets.VBox()
        self.older_button = styles.button(
            "Show older changes",
            tooltip=f"Load the next {SHOWN} changes, going back in time",
            fit=True,
        )
        on_click(self.older_button, self.show_older, reads_typing=False)
        self.footer = styles.hbox()
        body = widgets.VBox(
            [
                styles.hbox([self.undo_button, self.filter]),
                self.message,
                self.rows,
                self.footer,
            ]
        )
        super().__init__(children=[body], titles=("History: every change, restorable",))
        self._loaded: list[Change] = []
        """The changes loaded for the current filter, newest first, without gaps between them."""
        self._has_older = False
        self._fields: dict[str, str] = {}
        """Filter choices seen so far in the history: path -> label."""
        self._row_widgets: dict[int, tuple[bool, widgets.Widget]] = {}
        self._quiet = False
        self.selected_index = None
        self.add_class("swb-history")
        self.observe(lambda _: self.render(), names="selected_index")
        session.on_change(self._changed)

    def _changed(self, _: Loaded) -> None:
        if self.selected_index is not None:
            self.render()

    # --- loading ------------------------------------------------------------------------

    def _path(self) -> str | None:
        return self.filter.value or None

    def _fetch(self, wanted: int, keep: Callable[[Change], bool]) -> tuple[list[Change], bool]:
        """Up to `wanted` changes (newest first) for the filter that `keep` accepts, and whether
        more such changes were left out. The store has no offset: ask for ever more rows."""
        store, sig_id, path = self.session.workspace, self.session.sig_id, self._path()
        # Every change newer than the oldest loaded may come first, then `wanted` + 1 we keep.
        limit = wanted + 1
        if self._loaded:
            limit += max(0, store.revision(sig_id) - self._loaded[-1].revision + 1)
        while True:
            found = store.history(sig_id, path=path, limit=limit)
            kept = [change for change in found if keep(change)]
            if len(kept) > wanted or len(found) < limit:
                return kept[:wanted], len(kept) > wanted
            limit *= 2

    def _load_newer(self) -> None:
        """Add the changes made since the newest one loaded (all of them, so no gap opens)."""
        store, sig_id, path = self.session.workspace, self.session.sig_id, self._path()
        if not self._loaded:
            self._loaded, self._has_older = self._fetch(SHOWN, lambda _: True)
            return
        newest = self._loaded[0].revision
        limit = store.revision(sig_id) - newest
        if limit <= 0:
            return
        while True:
            found = store.history(sig_id, path=path, limit=limit)
            if len(found) < limit or found[-1].revision <= newest:
                break
            limit *= 2  # written to meanwhile: look further back
        self._loaded = [change for change in found if change.revision > newest] + self._loaded

    def show_older(self) -> None:
        """Load the next SHOWN older changes under the list."""
        if not self._loaded:
            self.render()
            return
        oldest = self._loaded[-1].revision
        older, self._has_older = self._fetch(SHOWN, lambda change: change.revision < oldest)
        self._loaded += older
        self.render()

    def _filter_changed(self) -> None:
        if self._quiet:
            return
        self._loaded, self._has_older = [], False
        self.render()

    def _note_fields(self) -> None:
        """Offer in the filter every field (or table) seen in the loaded history, by label."""
        before = len(self._fields)
        for change in self._loaded:
            if change.path:
                group = field_group(change.path)
                self._fields.setdefault(group, label(group))
        if len(self._fields) == before:
            return
        labels = list(self._fields.values())
        fields = sorted(
            (
                (name if labels.count(name) == 1 else f"{name} ({path})", path)
                for path, name in self._fields.items()
            ),
            key=lambda option: option[0].casefold(),
        )
        options = [("every field", EVERY_FIELD), *fields]
        chosen = self.filter.value
        self._quiet = True
        try:
            self.filter.options = options
            self.filter.value = chosen
        finally:
            self._quiet = False

    # --- showing ------------------------------------------------------------------------

    def render(self) -> None:
        """Fill the panel with the loaded revisions plus any newer ones (only while it is open)."""
        if self.selected_index is None:
            return
        self._load_newer()
        self._note_fields()
        rows: list[widgets.Widget] = []
        kept: dict[int, tuple[bool, widgets.Widget]] = {}
        for change in self._loaded:
            offer = self._offers_field_restore(change)
            cached = self._row_widgets.get(change.revision)
            row = (
                cached[1] if cached is not None and cached[0] == offer else self._row(change, offer)
            )
            kept[change.revision] = (offer, row)
            rows.append(row)
        self.rows.children = rows
        for revision, (_, row) in self._row_widgets.items():
            if revision not in kept or kept[revision][1] is not row:
                styles.close_tree(row)
        self._row_widgets = kept
        self.footer.children = [self.older_button] if self._has_older else []

    def _current(self, change: Change) -> Any:
        """The value now in the field that `change` set (by row id inside tables); _MISSING when
        its row has gone."""
        document = self.session.document
        split = _row_split(change.path)
        if split is None:
            return get_path(document, change.path, None)
        table, index, inner = split
        row_id = self.session.authorship.row_id_at(table, index, change)
        if row_id is None:
            return get_path(document, change.path, None)
        found = row_by_id(get_path(document, table, None), row_id)
        return get_path(found[1], inner, None) if found else _MISSING

    def _offers_field_restore(self, change: Change) -> bool:
        """Whether restoring the field to its value after `change` would alter it now."""
        if not change.path:
            return False
        current = self._current(change)
        return current is not _MISSING and canonical_json(current) != canonical_json(change.value)

    def _row(self, change: Change, field_restore: bool) -> widgets.Widget:
        text = styles.html(f'<div class="swb-history-line">{describe(change)}</div>')
        buttons: list[Any] = []
        name = label(change.path)
        if change.revision > 1 and change.path:
            before = change.revision - 1
            undo = styles.button(
                "Undo this change",
                tooltip=f"Put {name} back as it was before revision {change.revision}",
                fit=True,
            )
            on_click(undo, lambda: self._restore(before, change.path), reads_typing=True)
            buttons.append(undo)
        if field_restore:
            again = styles.button(
                f"Restore this field as it was after #{change.revision}",
                tooltip=f"Give {name} again the value revision {change.revision} gave it",
                fit=True,
            )
            on_click(again, lambda: self._restore(change.revision, change.path), reads_typing=True)
            buttons.append(again)
        if change.revision > 1:
            whole = styles.button(
                f"Restore plan to #{change.revision}",
                tooltip=f"Make the whole plan as it was after revision {change.revision}",
                fit=True,
            )
            on_click(whole, lambda: self._restore(change.revision, None), reads_typing=True)
            buttons.append(whole)
        return styles.hbox([text, *buttons], "swb-history-row")

    # --- acting -------------------------------------------------------------------------

    def _show_error(self, error: Exception) -> None:
        self.message.value = f'<div class="swb-error" role="alert">{html.escape(str(error))}</div>'

    def _restore(self, revision: int, path: str | None) -> None:
        try:
            self.session.restore(revision, path=path)
            self.message.value = ""
        except SigworkbookError as error:
            self._show_error(error)
        self.render()

    def undo(self) -> None:
        try:
            undone = self.session.undo()
        except SigworkbookError as error:
            self._show_error(error)
            return
        self.message.value = (
            '<div class="swb-notice">You have no edit to undo on this page.</div>'
            if undone is None
            else f'<div class="swb-saved">Undone: {html.escape(label(undone.path) or "the plan")}</div>'
        )
        self.render()
