"""One input per plan field, built from the model's spec: label, help, limits, errors and saving."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.bound import RowAddress
from sigworkbook.live.merging import Merged, distance, merge, only_adds
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues, wording
from sigworkbook.plan.fields import FieldSpec, field_spec
from sigworkbook.plan.paths import PathError
from sigworkbook.plan.recurrence import WEEKDAYS
from sigworkbook.store import Change
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.parts import error_html
from sigworkbook.ui.styles import hbox, layout, style, vbox
from sigworkbook.ui.styles import html as html_widget

NO_CHOICE = "— choose —"
IN_FLIGHT_S = 5.0
"""How long after the kernel puts new text in a box the browser's text may still have been
typed on the old one (keys on their way); later text is taken as typed on the new one."""


def _choices(spec: FieldSpec) -> list[tuple[str, str | None]]:
    if spec.catalogue:
        entries = catalogues.active()[spec.catalogue]  # type: ignore[index]
        options: list[tuple[str, str | None]] = [(e.label, key) for key, e in entries.items()]
    else:
        options = [(spec.choice_label(c), c) for c in spec.choices]
    return [(NO_CHOICE, None), *options] if spec.optional else options


SUMMARY_TEXT = 60
"""Characters of a long text shown in a folded row's summary line."""


UNANSWERED_CHOICES: tuple[tuple[str, str], ...] = (
    ("Not answered yet", ""),
    ("Yes", "yes"),
    ("No", "no"),
)
"""A yes-or-no field that starts unanswered (None in the plan), as a drop-down."""


def summary_value(spec: FieldSpec, value: Any) -> str:
    """A field's value as a few words of plain text, for a folded table row.

    Choices show their label alone (it says what it is); other values follow their field's
    label, and long texts are shortened.
    """
    if spec.kind == "choice":
        return next((label for label, key in _choices(spec) if key == value), str(value))
    if spec.kind == "bool" and spec.optional:
        return f"{spec.label}: {'yes' if value else 'no'}"
    if spec.kind == "bool":
        return spec.label if value else ""
    if spec.kind == "datetime":
        moment = dt.datetime.fromisoformat(str(value))
        text = f"{wording.short_date(moment.date())}, {moment:%H:%M}"
    elif spec.kind == "date":
        text = wording.long_date(dt.date.fromisoformat(str(value)))
    elif spec.kind == "line" and spec.choices:  # a time zone, as people say it: 'UK time'
        text = wording.zone_in_words(str(value))
    else:
        text = " ".join(str(value).split())
        if len(text) > SUMMARY_TEXT:
            text = text[: SUMMARY_TEXT - 1].rstrip() + "…"
    return f"{spec.label}: {text}"


def _input(spec: FieldSpec) -> widgets.ValueWidget:
    def common(kind: type[widgets.DOMWidget]) -> dict[str, Any]:
        return {"description": spec.label, "style": style(kind, description_width="initial")}

    wide = layout(width="100%")
    if spec.kind == "prose":
        rows = 6 if (spec.max_length or 0) > 1000 else 3
        return widgets.Textarea(
            placeholder=spec.placeholder,
            rows=rows,
            layout=wide,
            continuous_update=True,
            **common(widgets.Textarea),
        )
    if spec.kind == "line" and spec.choices:
        # Offers the known values as it is typed (a time zone); anything else typed is still
        # sent, on Enter or leaving the box, so that the check can refuse it next to the field.
        return widgets.Combobox(
            options=list(spec.choices),
            ensure_option=False,
            continuous_update=False,
            placeholder=spec.placeholder or "start typing, e.g. Europe/London",
            layout=wide,
            **common(widgets.Combobox),
        )
    if spec.kind == "line":
        return widgets.Text(
            placeholder=spec.placeholder,
            layout=wide,
            continuous_update=True,
            **common(widgets.Text),
        )
    if spec.kind == "bool" and spec.optional:  # yes, no, or not answered yet
        return widgets.Dropdown(
            options=list(UNANSWERED_CHOICES), layout=layout(), **common(widgets.Dropdown)
        )
    if spec.kind == "bool":
        return widgets.Checkbox(indent=False, layout=layout(), **common(widgets.Checkbox))
    if spec.kind == "int" and spec.optional:
        return widgets.Text(
            placeholder="a whole number, or leave blank", layout=wide, **common(widgets.Text)
        )
    if spec.kind == "int":
        return widgets.BoundedIntText(
            min=spec.minimum if spec.minimum is not None else 0,
            max=spec.maximum if spec.maximum is not None else 100_000,
            layout=layout(),
            **common(widgets.BoundedIntText),
        )
    if spec.kind == "date":
        return _within_years(
            spec, widgets.DatePicker(layout=layout(), **common(widgets.DatePicker))
        )
    if spec.kind == "datetime":
        return _within_years(
            spec,
            widgets.NaiveDatetimePicker(layout=layout(), **common(widgets.NaiveDatetimePicker)),
        )
    if spec.kind == "choice":
        return widgets.Dropdown(options=_choices(spec), layout=layout(), **common(widgets.Dropdown))
    raise TypeError(f"{spec.path}: no single input for a field of kind {spec.kind}")


def _within_years(spec: FieldSpec, picker: widgets.ValueWidget) -> widgets.ValueWidget:
    """Tell the page's script the model's range of years for this date box (as a class: a
    widget has no other attribute of its own in the page). The kernel refuses the rest."""
    if spec.years is not None:
        picker.add_class(f"swb-years-{spec.years[0]}-{spec.years[1]}")
    return picker


def to_widget(spec: FieldSpec, value: Any) -> Any:
    """A plan (JSON) value as the input widget holds it."""
    if spec.kind == "date":
        return dt.date.fromisoformat(value) if value else None
    if spec.kind == "datetime":
        return dt.datetime.fromisoformat(value) if value else None
    if spec.kind in ("line", "prose"):
        return value or ""
    if spec.kind == "int" and spec.optional:
        return "" if value is None else str(value)
    if spec.kind == "bool" and spec.optional:
        return "" if value is None else ("yes" if value else "no")
    return value


@lru_cache(maxsize=8)
def _by_casefold(choices: tuple[str, ...]) -> dict[str, str]:
    return {choice.casefold(): choice for choice in choices}


def from_widget(spec: FieldSpec, value: Any) -> Any:
    """A widget's value as the plan (JSON) holds it."""
    if spec.kind == "line" and spec.choices and isinstance(value, str):
        # 'europe/london ' is Europe/London: the known spelling of what was typed.
        text = value.strip()
        return _by_casefold(spec.choices).get(text.casefold(), text)
    if spec.kind == "int" and spec.optional and isinstance(value, str):
        # Blank means none; anything else that is not a whole number goes on to validation,
        # which refuses it with a message next to the field.
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            return text
    if spec.kind == "bool" and spec.optional and isinstance(value, str):
        return {"yes": True, "no": False}.get(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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


def _describe(value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def changed_text(change: Change | None, writers: Sequence[str] = ()) -> Markup | str:
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


class BoundControl(widgets.VBox):
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
    set_aside_id: str | None = None
    colliding_with: Any = None

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
        self.replaced: widgets.VBox | None = None
        """The notice that someone's "Keep mine" replaced this person's words, with Undo."""
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

    def show_conflict(self, theirs: Any, change: Change | None) -> None:
        """Someone else saved `theirs` while this person was typing: offer both."""
        notice = html_widget(
            Markup(
                '<div class="swb-notice" role="alert"><strong>{} changed this field while you '
                "were typing.</strong><br>Their version: <q>{}</q>"
                "<br>Your version is still in the field and is not saved yet.</div>"
            ).format(change.author or "Someone" if change else "Someone", _describe(theirs))
        )
        keep = widgets.Button(description="Keep mine", tooltip="Save your version over theirs")
        take = widgets.Button(description="Use theirs", tooltip="Replace your text with theirs")
        on_click(keep, lambda: self._keep_mine(theirs), reads_typing=True)
        on_click(take, lambda: self._use_theirs(theirs), reads_typing=True)
        self._set_conflict(vbox([notice, hbox([keep, take])], "swb-conflict"))

    def _set_conflict(self, box: widgets.VBox | None) -> None:
        if box is None and self.conflict is None:
            return
        self.conflict = box
        self._arrange()

    def _arrange(self) -> None:
        optional = [w for w in (self.problem, self.conflict, self.replaced) if w is not None]
        self.children = (*self._parts, self.notes, *optional)

    def _use_theirs(self, theirs: Any) -> None:
        self.session.discard(self.path)
        self.show_value(theirs)
        self.show_problem(None)

    def _keep_mine(self, theirs: Any) -> None:
        self.base = theirs
        self._set_conflict(None)
        self.session.save(self.path, self.value, self)

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
            self._rebased = (before, text)
            self._rebased_at = time.monotonic()
        if text != theirs:
            self.session.queue_merged(self.path, text, self)
        self._mark_unsaved(self.is_dirty())
        self.show_changed(change)

    def show_saved(self, value: Any) -> None:
        """Someone's save shown in a box this person has not typed in as far as the kernel
        knows: keys still on their way from the browser were typed on the old text (merged in
        as they arrive, `_rebase_typing`)."""
        before = self.value
        self.show_value(value)
        if isinstance(value, str) and value != before:
            self._rebased = (before or "", value)
            self._rebased_at = time.monotonic()

    def _show_typing(self, text: str) -> None:
        """Put `text` in the box as this person's typing (the page keeps their caret)."""
        self._showing = True
        try:
            self._write(text)
        finally:
            self._showing = False

    _rebased: tuple[str, str] | None = None
    """(the box's text, the text the kernel put in it): until the browser sends text typed on
    the new one, a text typed on the old one is merged again, never taken as deleting words."""
    _rebased_at = 0.0

    def _rebase_typing(self) -> None:
        """The browser sent text typed before the kernel's text reached it: merge it in too."""
        if self._rebased is None or self._showing:
            return
        if time.monotonic() - self._rebased_at > IN_FLIGHT_S:
            self._rebased = None  # keys on their way then have long arrived
            return
        before, shown = self._rebased
        now = self.value
        if now == shown or distance(shown, now) <= distance(before, now):
            self._rebased = None  # typed on the merged text
            return
        # Their latest keys win over the box's older text where both touch the same words.
        fixed = merge(before, now, shown).keep_mine
        self._rebased, self._rebased_at = (now, fixed), time.monotonic()
        self._show_typing(fixed)

    def show_collision(
        self, theirs: Any, merged: Merged, change: Change | None, set_aside: str | None
    ) -> None:
        """Someone changed the same words differently while this person typed: both versions
        side by side, and Keep both (the default), Keep mine or Keep theirs. Nothing is saved
        until they choose; what they typed is already kept on the server (`set_aside`)."""
        self.set_aside_id = set_aside
        self.colliding_with = theirs
        who = change.author or "Someone" if change else "Someone"
        rows = Markup("").join(
            Markup(
                '<div class="swb-versions">'
                '<div class="swb-version"><strong>Their version</strong><q>{}</q></div>'
                '<div class="swb-version"><strong>Your version</strong><q>{}</q></div>'
                "</div>"
            ).format(c.theirs or "(removed)", c.mine or "(removed)")
            for c in merged.collisions
        )
        notice = html_widget(
            Markup(
                '<div class="swb-notice" role="alert"><strong>{} changed the same words while '
                "you were typing.</strong>{}Everything else you both typed is kept. Your text is "
                "still in the box and kept on the server, but not saved in the field yet.</div>"
            ).format(who, rows)
        )
        both = widgets.Button(
            description="Keep both",
            tooltip="Keep their words and yours, one after the other",
            button_style="primary",
        )
        mine = widgets.Button(description="Keep mine", tooltip="Your words instead of theirs")
        keep_theirs = widgets.Button(description="Keep theirs", tooltip="Their words, not yours")
        on_click(both, lambda: self._choose(theirs, change, "both"), reads_typing=True)
        on_click(mine, lambda: self._choose(theirs, change, "mine"), reads_typing=True)
        on_click(keep_theirs, lambda: self._choose(theirs, change, "theirs"), reads_typing=True)
        self._set_conflict(vbox([notice, hbox([both, mine, keep_theirs])], "swb-conflict"))

    def _choose(self, theirs: Any, change: Change | None, keep: str) -> None:
        merged = merge(self.base or "", self.value or "", theirs or "")
        text = {"both": merged.text, "mine": merged.keep_mine, "theirs": merged.keep_theirs}[keep]
        kept, self.set_aside_id, self.colliding_with = self.set_aside_id, None, None
        self.base = theirs
        self._set_conflict(None)
        self._show_typing(text)
        if keep != "theirs" and kept is not None:
            self.session.drop_set_aside(kept)  # their words are in the field after all
        if keep == "mine" and theirs and merged.keep_mine != merged.keep_theirs:
            self.session.set_aside(
                self.path,
                theirs,
                why="replaced by someone's own version of the same words",
                author=change.author if change and change.author else "someone",
                replaced_by=self.session.author or "someone",
            )
        if keep == "theirs":
            self.session.discard(self.path)
        self.session.save(self.path, text, self)

    def show_replaced(self, entry: dict[str, Any]) -> None:
        """Someone chose their own version over this person's words: say so, with Undo."""
        notice = html_widget(
            Markup(
                '<div class="swb-notice" role="alert"><strong>{} kept their own version of words '
                "you had changed.</strong><br>Your version: <q>{}</q><br>It is kept in the "
                "history of this field.</div>"
            ).format(entry.get("replaced_by") or "Someone", _describe(entry.get("words")))
        )
        undo = widgets.Button(description="Undo", tooltip="Put your version back")
        close = widgets.Button(description="OK", tooltip="Leave it as it is")
        on_click(undo, lambda: self._undo_replaced(str(entry.get("id"))), reads_typing=False)
        on_click(close, lambda: self._close_replaced(), reads_typing=False)
        self.replaced = vbox([notice, hbox([undo, close])], "swb-replaced")
        self._arrange()

    def _undo_replaced(self, entry_id: str) -> None:
        self._close_replaced()
        self.session.bring_back(entry_id)

    def _close_replaced(self) -> None:
        self.replaced = None
        self._arrange()

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
        self.merges = row is None and spec.kind in ("line", "prose") and not spec.choices
        self.input = _input(spec)
        self.counting: Callable[[str], str] | None = None
        super().__init__(session, path, spec, [self.input], with_help=with_help)
        self.add_class(f"swb-field--{spec.kind}")
        try:
            current = session.value(path)
        except PathError:
            current = missing
        self.show_value(current)
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
        self.input.value = to_widget(self.spec, value)
        self.recount()

    def recount(self) -> None:
        """Show the length of the text against its limit (`counting`, if set, says how); under a
        date, the date in words ('Tuesday 5 January 2027'), whatever order the browser shows
        day and month in."""
        if self.spec.kind in ("date", "datetime"):
            self.count = date_words(self.input.value)
            self._show_notes()
            return
        if self.spec.kind not in ("line", "prose"):
            return
        text = self.input.value or ""
        self.count = self.counting(text) if self.counting else count_text(len(text), self.spec)
        self._show_notes()

    def _typed(self) -> None:
        self._rebase_typing()
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
        kind = field_spec(path).kind
        controls.append(
            LinesControl(session, path) if kind == "list" else FieldControl(session, path)
        )
    return vbox(controls, "swb-form")
