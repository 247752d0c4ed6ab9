"""One input per plan field, built from the model's spec: label, help, limits, errors and saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.bound import RowAddress
from sigworkbook.live.merging import only_adds
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import wording
from sigworkbook.plan.fields import FieldSpec, field_spec
from sigworkbook.plan.paths import PathError
from sigworkbook.plan.recurrence import WEEKDAYS
from sigworkbook.store import Change
from sigworkbook.ui.kinds import adapter
from sigworkbook.ui.merging_box import MergingBox
from sigworkbook.ui.parts import error_html
from sigworkbook.ui.styles import html as html_widget
from sigworkbook.ui.styles import layout, style, vbox
from sigworkbook.ui.versions import ChoosingVersions


def summary_value(spec: FieldSpec, value: Any) -> str:
    """A field's value as a few words of plain text, for a folded table row.

    Choices show their label alone (it says what it is); other values follow their field's
    label, and long texts are shortened.
    """
    return adapter(spec).summary(spec, value)


def to_widget(spec: FieldSpec, value: Any) -> Any:
    """A plan (JSON) value as the input widget holds it."""
    return adapter(spec).to_widget(spec, value)


def from_widget(spec: FieldSpec, value: Any) -> Any:
    """A widget's value as the plan (JSON) holds it."""
    return adapter(spec).from_widget(spec, value)


def count_text(
    length: int, spec: FieldSpec, limit: int | None = None, *, why: str | None = None
) -> Markup | str:
    """'123 / 500 characters', and when over, what that means: an advised limit (or a given
    one, e.g. a channel's, with `why`) is only advice and the text is saved; over the hard limit
    it is not saved, and the count says by how much it is over."""
    hard = limit is None and spec.advised_max is None
    limit = limit or spec.advised_max or spec.max_length
    if not limit:
        return ""
    over = length > limit
    cls = "swb-count swb-count--over" if over else "swb-count"
    note = ""
    if over and hard:
        note = f": {length - limit} over the limit, not saved until it is shorter"
    elif over:
        note = f": longer than {why or spec.advised_why} ({limit}); it is saved"
    return Markup('<span class="{}" aria-live="polite">{} / {} characters{}</span>').format(
        cls, length, limit, note
    )


def date_words(value: Any) -> Markup | str:
    """'Tuesday 5 January 2027, 18:00' for a date or date-time input's value; '' for none."""
    if not isinstance(value, dt.date):
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    words = f"{WEEKDAYS[day.weekday()]} {wording.long_date(day)}"
    if isinstance(value, dt.datetime):
        words += f", {value:%H:%M}"
    return Markup('<div class="swb-date-words">{}</div>').format(words)


def changed_text(change: Change | None, writers: Sequence[str] = ()) -> str:
    """'Changed by Ana at 14:03, 26 Nov' for the latest change to a field; with `writers`
    (everyone whose words were merged into it), 'Changed by Ana, Ben and Dev at ...'."""
    if change is None:
        return ""
    when = change.at.astimezone().strftime("%H:%M, %d %b")
    names = list(dict.fromkeys([*writers, change.author or "someone"]))
    who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return Markup('<div class="swb-changed">Changed by {} at {}</div>').format(who, when)


def help_html(text: str) -> Markup | str:
    """A line of help (plain text) under an input or above a group of them; '' for none."""
    return Markup('<div class="swb-help">{}</div>').format(text) if text else ""


class BoundControl(ChoosingVersions, widgets.VBox):
    """Base of every control bound to one plan field: errors, conflicts and who changed it last.

    `base` is the plan's value the control last agreed with; the control is dirty while the
    person's input differs from it. A dirty control is never overwritten by someone else's
    edit: it shows both values and lets the person choose.

    Under the input, one HTML widget (`notes`) holds the help, the character count and who
    changed the field last. The error line (`problem`, a live region of its own so that a
    screen reader announces it once, not at every keystroke) and the conflict notice are only
    built when first needed: fewer widgets per field make pages load faster.
    """

    row: RowAddress | None = None
    """Where a table row's field is saved (FieldControl sets it); None for other fields."""
    merges = False
    """Whether typing here is merged with other people's saves of the field (a text field)."""

    def __init__(
        self,
        session: Session,
        path: str,
        spec: FieldSpec,
        parts: list[Any],
        *,
        with_help: bool = True,
    ) -> None:
        self.session = session
        self.path = path
        self.spec = spec
        self.base: Any = None
        self.help = help_html(spec.help) if with_help else ""
        self.count: Markup | str = ""
        self.changed: Markup | str = ""
        self.typing: Markup | str = ""
        """'Dev is typing…' while someone else types in this field."""
        self.notes = html_widget()
        self.problem: widgets.HTML | None = None
        self.conflict: widgets.VBox | None = None
        self._parts = parts
        self._showing = False
        self._unsaved = False
        self._writers: list[str] = []
        """Everyone whose words were merged into the field since it last showed a value."""
        self.replaced = None
        super().__init__([*parts, self.notes], layout=layout(width="100%"))
        self.add_class("swb-field")
        self._show_notes()

    # --- what subclasses provide ---------------------------------------------------------

    @property
    def value(self) -> Any:
        raise NotImplementedError

    def _write(self, value: Any) -> None:
        raise NotImplementedError

    # --- shared behaviour -----------------------------------------------------------------

    def _show_notes(self) -> None:
        notes = Markup("").join([self.help, self.count, self.changed, self.typing])
        if self.notes.value != notes:
            self.notes.value = notes

    def is_dirty(self) -> bool:
        return bool(self.value != self.base)

    @property
    def showing_plan(self) -> bool:
        """The input is being set from the plan (someone's saved edit), not by this person."""
        return self._showing

    @property
    def has_problem(self) -> bool:
        """An error is showing under the input."""
        return self.problem is not None and bool(self.problem.value)

    @property
    def in_conflict(self) -> bool:
        """A notice is waiting for the person to pick their version or the other one."""
        return self.conflict is not None

    def show_value(self, value: Any) -> None:
        """Show a value from the plan without saving it back; it becomes the base."""
        before, self.base = self.base, value
        self._showing = True
        try:
            self._write(value)
        finally:
            self._showing = False
        self._set_conflict(None)
        self._mark_unsaved(False)
        if not (isinstance(before, str) and isinstance(value, str) and only_adds(before, value)):
            self._writers = []  # words were replaced: name only who changed it from now on

    def saved(self, value: Any) -> None:
        """The session saved `value` for this field."""
        self.base = value
        self._mark_unsaved(self.is_dirty())

    def _mark_unsaved(self, unsaved: bool) -> None:
        """Mark the field while it holds typing that is not saved: if the page loses its kernel,
        the page script keeps that text for the visitor (sigworkbook.js)."""
        if unsaved != self._unsaved:
            self._unsaved = unsaved
            (self.add_class if unsaved else self.remove_class)("swb-field--unsaved")

    def show_problem(self, message: str | None) -> None:
        """Show `message` under the input (None clears it)."""
        if message:
            if self.problem is None:
                self.problem = html_widget()
                self._arrange()
            self.problem.value = error_html(f"{self.spec.label}: {message}")
            self.add_class("swb-field--invalid")
        elif self.problem is not None and self.problem.value:
            self.problem.value = ""
            self.remove_class("swb-field--invalid")

    def show_changed(self, change: Change | None) -> None:
        """'Changed by' everyone whose words came into the field while it was shown here."""
        if change is not None and change.author:
            self._writers = list(dict.fromkeys([*self._writers, change.author]))
        self.changed = changed_text(change, self._writers)
        self._show_notes()

    def _set_conflict(self, box: widgets.VBox | None) -> None:
        if box is None and self.conflict is None:
            return
        self.conflict = box
        self._arrange()

    def _arrange(self) -> None:
        optional = [w for w in (self.problem, self.conflict, self.replaced) if w is not None]
        self.children = (*self._parts, self.notes, *optional)

    # --- writing together: merged typing, collisions, words set aside -------------------

    def show_typing(self, names: Sequence[str]) -> None:
        """Say who else is typing in this field right now ('' when nobody)."""
        if not names:
            typing = ""
        else:
            who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            verb = "is" if len(names) == 1 else "are"
            typing = Markup('<div class="swb-typing">{} {} typing…</div>').format(who, verb)
        if typing != self.typing:
            self.typing = typing
            self._show_notes()

    def show_merged(self, theirs: Any, text: str, change: Change | None) -> None:
        """Others saved `theirs` while this person typed: the box shows `text`, their words
        merged into the typing, and saves it after the pause (unless it is theirs already)."""
        before = self.value
        self.base = theirs
        if change is not None and change.author:
            self._writers = list(dict.fromkeys([*self._writers, change.author]))
        if self.session.author:
            self._writers = list(dict.fromkeys([*self._writers, self.session.author]))
        if text != before:
            self._show_typing(text)
        if text != theirs:
            self.session.queue_merged(self.path, text, self)
        self._mark_unsaved(self.is_dirty())
        self.show_changed(change)

    def _show_typing(self, text: str) -> None:
        """Put `text` in the box as this person's typing (the page keeps their caret)."""
        self._showing = True
        try:
            self._write(text)
        finally:
            self._showing = False

    def _edited(self) -> None:
        if not self._showing:
            self.session.edit(self.path, self.value, self)
            self._mark_unsaved(self.is_dirty())


class FieldControl(BoundControl):
    """A labelled input for the plan field at `path`, saved as the user types."""

    def __init__(
        self,
        session: Session,
        path: str,
        *,
        spec_path: str | None = None,
        missing: Any = None,
        row: tuple[str, str, str] | None = None,
        with_help: bool = True,
    ) -> None:
        """`missing` is shown while the plan has no entry at `path` yet (a map's unset key).

        `row` = (list path, row id, field) for a field of a table row: it is saved to the row
        with that id, wherever the row is by then. `with_help=False` leaves the help text out (when
        a group of fields shares one).
        """
        self.row = row
        spec = field_spec(spec_path or path)
        self.merges = row is None and spec.typed_freely
        kind = adapter(spec)
        self.input = (kind.shared if self.merges and kind.shared else kind.make)(spec)
        self.counting: Callable[[str], str] | None = None
        super().__init__(session, path, spec, [self.input], with_help=with_help)
        self.add_class(f"swb-field--{spec.kind}")
        try:
            current = session.value(path)
        except PathError:
            current = missing
        self.show_value(current)
        if isinstance(self.input, MergingBox):
            self.input.on_typed(lambda _: self._typed())
        else:
            self.input.observe(lambda _: self._typed(), names="value")
        session.register(self)

    @property
    def value(self) -> Any:
        return from_widget(self.spec, self.input.value)

    def is_dirty(self) -> bool:
        # Compared as the input holds it: the plan may write a value another way than the
        # input gives it back (a start time with seconds, say) without it being an edit.
        return bool(self.value != from_widget(self.spec, to_widget(self.spec, self.base)))

    def _write(self, value: Any) -> None:
        if isinstance(self.input, MergingBox):
            self.input.put(to_widget(self.spec, value))
        else:
            self.input.value = to_widget(self.spec, value)
        self.recount()

    def recount(self) -> None:
        """Show the length of the text against its limit (`counting`, if set, says how); under a
        date, the date in words ('Tuesday 5 January 2027'), whatever order the browser shows
        day and month in."""
        if self.spec.traits.dated:
            self.count = date_words(self.input.value)
            self._show_notes()
            return
        if not self.spec.is_text:
            return
        text = self.input.value or ""
        self.count = self.counting(text) if self.counting else count_text(len(text), self.spec)
        self._show_notes()

    def _typed(self) -> None:
        self.recount()
        self._edited()


class LinesControl(BoundControl):
    """A list of short texts (key phrases, groups looked at) edited one per line."""

    def __init__(self, session: Session, path: str) -> None:
        spec = field_spec(path)
        self.input = widgets.Textarea(
            description=f"{spec.label} (one per line)",
            rows=4,
            layout=layout(width="100%"),
            style=style(widgets.Textarea, description_width="initial"),
            continuous_update=True,
        )
        super().__init__(session, path, spec, [self.input])
        self.show_value(session.value(path))
        self.input.observe(lambda _: self._edited(), names="value")
        session.register(self)

    @property
    def value(self) -> list[str]:
        return [line.strip() for line in self.input.value.splitlines() if line.strip()]

    def _write(self, value: Any) -> None:
        if value != self.value:
            self.input.value = "\n".join(value or [])


def form(session: Session, paths: list[str]) -> widgets.VBox:
    """A vertical form of controls for the given field paths."""
    controls: list[widgets.Widget] = []
    for path in paths:
        rows = field_spec(path).traits.rows
        controls.append(LinesControl(session, path) if rows else FieldControl(session, path))
    return vbox(controls, "swb-form")
