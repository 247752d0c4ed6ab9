"""The history panel: every revision of the plan, loaded a page at a time, with restore and undo."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.session import SET_ASIDE, Session
from sigworkbook.live.undo import NOT_EDITS, is_edit
from sigworkbook.markup import Markup
from sigworkbook.plan.agreement import AGREEMENT, check_in_words, section_title
from sigworkbook.plan.fields import in_words, label, row_name, value_in_words
from sigworkbook.plan.paths import (
    format_path,
    parse_path,
    split_row,
)
from sigworkbook.plan.sections import CHARTER_SECTIONS
from sigworkbook.plan.voting import decision_text, round_in_words
from sigworkbook.store import Change
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.history_reading import MISSING as _MISSING
from sigworkbook.ui.history_reading import RESTORED_NOTE, ChangeReading
from sigworkbook.ui.parts import error_html
from sigworkbook.workspace import NAME_DECISION, VOTING_ROUND, Loaded

SHOWN = 25
"""How many changes the panel loads at first, and how many more each "Show older changes" adds."""

EVERY_FIELD = ""
"""The filter's value for "every field" (the whole plan's path)."""

UNLISTED = NOT_EDITS
"""Changes the panel does not list: the meeting's shared timers (started, paused, reset), the
meeting going on (the lead's moves, who is ready) and its records (kept when the lead ends it,
writing the whole `meeting`) are not edits of the plan anyone would want to read about or undo;
versions set aside have their own list at the top of the panel, each with "Bring back"."""


SEALED: tuple[str, ...] = (VOTING_ROUND, AGREEMENT)
"""Changes told without their value and not undone from the panel: the voting round and the
charter's agreement checks, whose ballots and answers are hidden until revealed and each
person's own to change."""


def sealed(path: str) -> bool:
    """Whether a change at `path` is one of `SEALED`."""
    return any(path == kept or path.startswith(kept + ".") for kept in SEALED)


def _agreement_in_words(path: str, value: Any) -> str:
    """A change of the agreement checks told without anyone's answer."""
    if path != AGREEMENT:
        return check_in_words(value)
    checks = value if isinstance(value, dict) else {}
    return "; ".join(
        f"{section_title(key)}: {check_in_words(check)}"
        for key, check in checks.items()
        if key in CHARTER_SECTIONS
    )


def listed(change: Change) -> bool:
    """Whether the panel lists `change`."""
    return is_edit(change.path)


def when_text(moment: dt.datetime, today: dt.date | None = None) -> str:
    """A moment as people read it in the history: '14:05' today, else '3 Dec 14:05'."""
    local = moment.astimezone()
    if local.date() == (today or dt.date.today()):
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"


def point_in_words(change: Change) -> str:
    """The plan right after `change`, as people say it: 'as it was at 14:05 (Priya)'."""
    return f"as it was at {when_text(change.at)} ({change.author or 'someone'})"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def _list_change(path: str, before: Any, after: list[Any]) -> str | None:
    """'Added Maya Okafor to the core group' for a whole table or list saved with rows or
    entries added or removed; None when the change is something else (an edit inside rows)."""
    if not isinstance(before, list):
        return None
    where = "the " + _lower_first(label(path))

    def keyed(rows: list[Any]) -> dict[str, tuple[int, Any]]:
        return {
            str(row.get("id")) if isinstance(row, dict) else json.dumps(row): (index, row)
            for index, row in enumerate(rows)
        }

    old, new = keyed(before), keyed(after)
    added = [new[key] for key in new if key not in old]
    removed = [old[key] for key in old if key not in new]

    def names(found: list[tuple[int, Any]]) -> str:
        return ", ".join(
            row_name(path, row, index) if isinstance(row, dict) else f"“{row}”"
            for index, row in found
        )

    if added and not removed:
        return f"Added {names(added)} to {where}"
    if removed and not added:
        return f"Removed {names(removed)} from {where}"
    if not added and not removed and list(old) != list(new):
        return f"Changed the order of {where}"
    return None


def describe(
    change: Change,
    *,
    place: str | None = None,
    before: Any = _MISSING,
    restored_from: Change | None = None,
    hidden: bool = False,
) -> Markup:
    """One line for a revision: when, who and what changed, in words (escaped HTML).

    `place` names the field (from its path when not given); `before` is the value the change
    replaced, when known, so that a saved table reads as the row added or removed;
    `restored_from` is the change a restore went back to; `hidden` tells the change without
    its value (ideas collected privately, until they are revealed)."""
    when = when_text(change.at)
    who = change.author or "someone"
    where = place or in_words(change.path)
    note = change.note or ""
    back = ""
    if change.kind == "restore":
        back = f" {point_in_words(restored_from)}" if restored_from else " as it was earlier"
        note = "" if RESTORED_NOTE.fullmatch(note) else note
    if hidden:
        what = Markup("Changed {} (hidden until the ideas are revealed)").format(where)
    elif not change.path:
        actions = {"restore": f"Restored the whole plan{back}", "create": "Started the plan"}
        action = actions.get(change.kind, "Replaced the whole plan")
        what = Markup("{}").format(action)
    else:
        if change.path.startswith(AGREEMENT):  # one section's check, or every section's
            value = _agreement_in_words(change.path, change.value)
        elif sealed(change.path):
            value = round_in_words(change.value)
        elif change.path == NAME_DECISION:  # read as the decision it records
            value = decision_text(change.value if isinstance(change.value, dict) else None)
        else:
            value = value_in_words(change.path, change.value)
        listed = (
            _list_change(change.path, before, change.value)
            if isinstance(change.value, list) and change.kind != "restore"
            else None
        )
        if listed:
            what = Markup("{}").format(listed)
        elif change.kind == "restore":
            what = Markup("Restored {}{}").format(where, back)
            what += Markup(": <q>{}</q>").format(value) if value else " (empty)"
        elif not value:
            what = Markup("Emptied {}").format(where)
        else:
            what = Markup("Changed {}: <q>{}</q>").format(where, value)
    remark = Markup(" <em>({})</em>").format(note) if note else ""
    return Markup("{} · <strong>{}</strong> · {}{}").format(when, who, what, remark)


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def field_group(path: str) -> str:
    """The path the filter offers for a change at `path`: a table's path for anything in one of
    its rows (`schedule.activities.2.title` -> `schedule.activities`), else the path itself."""
    row = split_row(parse_path(path))
    return path if row is None else format_path(row[0])


class HistoryPanel(widgets.Accordion):
    """A closed-by-default panel listing revisions newest first, SHOWN at a time, each restorable,
    with a filter by field and 'Undo my last edit'. It reads the store only while open."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.undo_button = styles.button(
            "Undo my last edit", tooltip="Put back the field you changed last", fit=True
        )
        on_click(self.undo_button, self.undo, reads_typing=True, once=True)
        self.filter = widgets.Dropdown(
            options=[("every field", EVERY_FIELD)],
            value=EVERY_FIELD,
            description="Show changes to",
            layout=styles.layout(),
            style=styles.style(widgets.Dropdown, description_width="initial"),
        )
        self.filter.observe(lambda _: self._filter_changed(), names="value")
        self.message = styles.html()
        self.set_aside = widgets.VBox()
        """Versions typed that did not end up in their field (for the filter's field)."""
        self._set_aside_shown: tuple[tuple[str, ...], str] | None = None
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
                self.set_aside,
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
        self.reading = ChangeReading(session)
        self._row_widgets: dict[int, tuple[tuple[bool, bool], widgets.Widget]] = {}
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
            if change.path and listed(change):
                group = field_group(change.path)
                self._fields.setdefault(group, label(group))
        if len(self._fields) == before:
            return
        labels = list(self._fields.values())
        fields = sorted(
            (
                (name if labels.count(name) == 1 else f"{name} ({in_words(_parent(path))})", path)
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
        kept: dict[int, tuple[tuple[bool, bool], widgets.Widget]] = {}
        for change in filter(listed, self._loaded):
            offer = self.reading.offers_field_restore(change)
            state = (offer, self.reading.hidden(change))  # a row is drawn again when either changes
            cached = self._row_widgets.get(change.revision)
            row = (
                cached[1] if cached is not None and cached[0] == state else self._row(change, offer)
            )
            kept[change.revision] = (state, row)
            rows.append(row)
        self.rows.children = rows
        for revision, (_, row) in self._row_widgets.items():
            if revision not in kept or kept[revision][1] is not row:
                styles.close_tree(row)
        self._row_widgets = kept
        self.footer.children = [self.older_button] if self._has_older else []
        self._render_set_aside()

    def _render_set_aside(self) -> None:
        """The versions set aside (for the field the filter shows), newest first, each with
        "Bring back"."""
        entries = [
            e
            for e in reversed(self.session.value(SET_ASIDE) or [])
            if not self._path() or field_group(e.get("field", "")) == self._path()
        ]
        key = (tuple(str(e.get("id")) for e in entries), self.filter.value)
        if key == self._set_aside_shown:
            return
        self._set_aside_shown = key
        rows: list[widgets.Widget] = []
        if entries:
            rows.append(styles.html('<div class="swb-set-aside-title">Versions set aside</div>'))
        for entry in entries:
            where = in_words(entry.get("field", ""), self.session.document)
            words = value_in_words(entry.get("field", ""), entry.get("words", ""))
            line = Markup("<strong>{}</strong> · {}: <q>{}</q> <em>({})</em>").format(
                entry.get("author") or "someone", where, words, entry.get("why") or "set aside"
            )
            back = styles.button(
                "Bring back", tooltip=f"Put this version back in {where}", fit=True
            )
            on_click(back, partial(self._bring_back, str(entry.get("id"))), reads_typing=True)
            rows.append(
                styles.hbox(
                    [
                        styles.html(Markup('<div class="swb-history-line">{}</div>').format(line)),
                        back,
                    ],
                    "swb-set-aside-row",
                )
            )
        old = self.set_aside.children
        self.set_aside.children = rows
        for row in old:
            styles.close_tree(row)

    def _bring_back(self, entry_id: str) -> None:
        try:
            self.session.bring_back(entry_id)
            self.message.value = ""
        except SigworkbookError as error:
            self._show_error(error)
        self.render()

    def _row(self, change: Change, field_restore: bool) -> widgets.Widget:
        hidden = self.reading.hidden(change)
        place = self.reading.place(change) if change.path and not hidden else ""
        line = describe(
            change,
            place=place or None,
            before=_MISSING if hidden else self.reading.before(change),
            restored_from=self.reading.restored_from(change, self._loaded),
            hidden=hidden,
        )
        text = styles.html(
            Markup('<div class="swb-history-line" data-revision="{}">{}</div>').format(
                change.revision, line
            )
        )
        buttons: list[Any] = []
        if change.revision > 1 and change.path and not sealed(change.path) and not hidden:
            before = change.revision - 1
            undo = styles.button(
                "Undo this change",
                tooltip=f"Put {place} back as it was before this change",
                fit=True,
            )
            on_click(undo, lambda: self._restore(before, change.path), reads_typing=True)
            buttons.append(undo)
        if field_restore and not sealed(change.path) and not hidden:
            again = styles.button(
                "Put this value back",
                tooltip=f"Give {place} again the value this change gave it",
                fit=True,
            )
            on_click(again, lambda: self._restore(change.revision, change.path), reads_typing=True)
            buttons.append(again)
        if change.revision > 1:
            whole = styles.button(
                f"Restore the plan {point_in_words(change)}",
                tooltip="Make the whole plan as it was right after this change (votes, agreement "
                "answers and the meeting's record stay as they are now)",
                fit=True,
            )
            on_click(whole, lambda: self._restore(change.revision, None), reads_typing=True)
            buttons.append(whole)
        return styles.hbox([text, *buttons], "swb-history-row")

    # --- acting -------------------------------------------------------------------------

    def _show_error(self, error: Exception) -> None:
        self.message.value = error_html(str(error))

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
            else Markup('<div class="swb-saved">Undone: {}</div>').format(in_words(undone.path))
        )
        self.render()
