"""The history panel: recent revisions of the plan, with restore and undo."""

from __future__ import annotations

import html
import json
from typing import Any

import ipywidgets as widgets

from sigworkbook.fields import label
from sigworkbook.store import Change, StoreError
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.session import Session
from sigworkbook.validation import PlanError
from sigworkbook.workspace import Loaded, WorkspaceError

SHOWN = 25


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
    field = html.escape(label(change.path) if change.path else "Whole plan")
    value = html.escape(_value_text(change))
    note = f" <em>({html.escape(change.note)})</em>" if change.note and change.path else ""
    return (
        f'<span class="swb-rev">#{change.revision}</span> {when} · <strong>{who}</strong> · '
        f"{field}: <q>{value}</q>{note}"
    )


class HistoryPanel(widgets.Accordion):
    """A closed-by-default panel listing recent revisions, each restorable, plus 'Undo my last edit'."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.undo_button = widgets.Button(
            description="Undo my last edit", tooltip="Put back the field you changed last"
        )
        on_click(self.undo_button, self.undo, reads_typing=True)
        self.message = styles.html()
        self.rows = widgets.VBox()
        body = widgets.VBox([widgets.HBox([self.undo_button]), self.message, self.rows])
        super().__init__(children=[body], titles=("History: every change, restorable",))
        self.selected_index = None
        self.add_class("swb-history")
        self.observe(lambda _: self.render(), names="selected_index")
        session.on_change(self._changed)

    def _changed(self, _: Loaded) -> None:
        if self.selected_index is not None:
            self.render()

    def render(self) -> None:
        """Fill the panel with the latest revisions (only while it is open)."""
        if self.selected_index is None:
            return
        changes = self.session.workspace.store.history(self.session.sig_id, limit=SHOWN)
        self.rows.children = [self._row(change) for change in changes]

    def _row(self, change: Change) -> widgets.Widget:
        text = styles.html(f'<div class="swb-history-line">{describe(change)}</div>')
        buttons: list[Any] = []
        if change.revision > 1:
            before = change.revision - 1
            if change.path:
                field = widgets.Button(
                    description="Undo this change",
                    tooltip=f"Put {label(change.path)} back as it was before revision {change.revision}",
                )
                on_click(field, lambda: self._restore(before, change.path), reads_typing=True)
                buttons.append(field)
            whole = widgets.Button(
                description=f"Restore plan to #{change.revision}",
                tooltip=f"Make the whole plan as it was after revision {change.revision}",
            )
            on_click(whole, lambda: self._restore(change.revision, None), reads_typing=True)
            buttons.append(whole)
        row = widgets.HBox([text, *buttons])
        row.add_class("swb-history-row")
        return row

    def _restore(self, revision: int, path: str | None) -> None:
        try:
            self.session.restore(revision, path=path)
            self.message.value = ""
        except (PlanError, StoreError, WorkspaceError) as error:
            self.message.value = (
                f'<div class="swb-error" role="alert">{html.escape(str(error))}</div>'
            )
        self.render()

    def undo(self) -> None:
        try:
            undone = self.session.undo()
        except (PlanError, StoreError, WorkspaceError) as error:
            self.message.value = (
                f'<div class="swb-error" role="alert">{html.escape(str(error))}</div>'
            )
            return
        self.message.value = (
            '<div class="swb-notice">You have no edit to undo on this page.</div>'
            if undone is None
            else f'<div class="swb-saved">Undone: {html.escape(label(undone.path) or "the plan")}</div>'
        )
        self.render()
