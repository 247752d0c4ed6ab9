"""The design-meeting agenda: a timebox per step, their running times, and the total vs the length."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.steps import STEPS, Step
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.controls import FieldControl, help_html

AGENDA_STEPS: tuple[Step, ...] = tuple(step for step in STEPS if step.minutes)
"""The steps that have a place in the design meeting."""


@dataclass(frozen=True)
class Slot:
    """One step's place in the meeting: from `start` to `end`, in minutes after it begins."""

    step: Step
    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Agenda:
    """The meeting's slots in step order, and how they add up against its length."""

    length: int
    slots: tuple[Slot, ...]

    @property
    def total(self) -> int:
        return sum(slot.minutes for slot in self.slots)

    @property
    def difference(self) -> int:
        """Minutes the timeboxes run over the length (negative: minutes still free)."""
        return self.total - self.length

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def plan_agenda(length: int, timeboxes: Mapping[str, int]) -> Agenda:
    """The agenda for a meeting of `length` minutes; steps missing from `timeboxes` get 0."""
    slots, clock = [], 0
    for step in AGENDA_STEPS:
        minutes = max(int(timeboxes.get(step.key, 0) or 0), 0)
        slots.append(Slot(step, clock, clock + minutes))
        clock += minutes
    return Agenda(length, tuple(slots))


def clock(minutes: int) -> str:
    """Minutes after the start as h:mm, e.g. 0:45 or 1:30."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}"


def balance_text(agenda: Agenda) -> str:
    """A sentence on whether the timeboxes fill the meeting exactly."""
    if agenda.balanced:
        return f"The timeboxes add up to {agenda.total} minutes: the whole meeting, exactly."
    if agenda.difference > 0:
        return (
            f"The timeboxes add up to {agenda.total} minutes, {agenda.difference} more than the "
            f"meeting's {agenda.length}: shorten a timebox or lengthen the meeting."
        )
    return (
        f"The timeboxes add up to {agenda.total} minutes, {-agenda.difference} fewer than the "
        f"meeting's {agenda.length}: give the spare time to a step or shorten the meeting."
    )


def agenda_html(agenda: Agenda) -> Markup:
    """The agenda as a table of running times, then the balance of total and length."""
    rows = Markup("").join(
        Markup("<tr><td>{}&ndash;{}</td><td>{}</td><td>{} min</td></tr>").format(
            clock(slot.start), clock(slot.end), slot.step.label, slot.minutes
        )
        for slot in agenda.slots
    )
    state = "swb-notice--success" if agenda.balanced else "swb-notice--warning"
    return Markup(
        '<table class="swb-agenda"><caption>The meeting, step by step</caption>'
        '<thead><tr><th scope="col">When</th><th scope="col">Step</th>'
        '<th scope="col">Timebox</th></tr></thead><tbody>{}</tbody></table>'
        '<div class="swb-notice {}" role="status" aria-live="polite">{}</div>'
    ).format(rows, state, balance_text(agenda))


def suggested_timeboxes() -> dict[str, int]:
    """Each step's suggested timebox, as the steps list gives it."""
    return {step.key: step.minutes for step in AGENDA_STEPS}


class AgendaEditor(widgets.VBox):
    """Meeting date, length and a timebox per step, with the running agenda updated as you type."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.date = FieldControl(session, "meeting.date")
        self.length = FieldControl(session, "meeting.length_minutes")
        self.timeboxes: dict[str, FieldControl] = {}
        for step in AGENDA_STEPS:
            # The help is said once, above the timeboxes.
            control = FieldControl(session, f"meeting.timeboxes.{step.key}", with_help=False)
            control.input.description = f"{step.label} (minutes)"
            self.timeboxes[step.key] = control
        self.summary = styles.html()
        self.reset_button = styles.button(
            "Use the suggested timeboxes",
            tooltip="Set every timebox to the workbook's suggestion",
            fit=True,
            align="flex-start",
        )
        on_click(self.reset_button, self.use_suggested, reads_typing=False)
        for control in [self.length, *self.timeboxes.values()]:
            control.input.continuous_update = True  # the total follows every keystroke
            control.input.observe(lambda _: self._show_summary(), names="value")
        help_text = field_spec("meeting.timeboxes").help
        grid = widgets.GridBox(
            list(self.timeboxes.values()),
            layout=widgets.Layout(
                grid_template_columns="repeat(auto-fill, minmax(260px, 1fr))", grid_gap="0 1em"
            ),
        )
        boxes = widgets.VBox([styles.html(help_html(help_text)), grid])
        super().__init__([self.date, self.length, boxes, self.summary, self.reset_button])
        self.add_class("swb-agenda-editor")
        self._show_summary()

    @property
    def agenda(self) -> Agenda:
        """The agenda as the inputs show it now, saved or not."""
        minutes = {key: control.input.value for key, control in self.timeboxes.items()}
        return plan_agenda(int(self.length.input.value or 0), minutes)

    def _show_summary(self) -> None:
        self.summary.value = agenda_html(self.agenda)

    def use_suggested(self) -> bool:
        """Save the suggested timebox for every step."""
        self.session.flush()
        current: dict[str, Any] = dict(self.session.value("meeting.timeboxes") or {})
        return self.session.save("meeting.timeboxes", {**current, **suggested_timeboxes()})


__all__ = [
    "AGENDA_STEPS",
    "Agenda",
    "AgendaEditor",
    "Slot",
    "agenda_html",
    "balance_text",
    "clock",
    "plan_agenda",
    "suggested_timeboxes",
]
