"""Page furniture: the header with the SIG's name, the step navigation, progress, status and timer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import urlencode

import ipywidgets as widgets

from sigworkbook.live.kernel import kernel_loop, log
from sigworkbook.live.session import SaveStatus
from sigworkbook.markup import Markup
from sigworkbook.plan.gaps import StepCheck
from sigworkbook.plan.meeting import clock_state, clock_text
from sigworkbook.plan.people import person_key, same_person
from sigworkbook.plan.steps import STEPS, Step
from sigworkbook.store import Visitor
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.request import app_path


def step_href(step: Step, sig_id: str | None, author: str | None) -> str:
    """The address of a step, carrying the SIG and the participant along: the app page's with
    the step in the query where the server serves the app, else the step notebook's own."""
    query = {key: value for key, value in (("sig", sig_id), ("who", author)) if value}
    app = app_path()
    if app is not None:
        return f"{app}?{urlencode({**query, 'step': step.key})}"
    return step.notebook + (f"?{urlencode(query)}" if query else "")


BRAND = Markup('<span class="swb-brand">sigworkbook</span>')
"""The brand in the header bar, on every page."""


def brand_header(after: str = "") -> Markup:
    """The header bar of a page that shows no SIG's steps: the brand, then `after` (safe
    markup, such as who is typing)."""
    return Markup('<div class="swb-header">{}{}</div>').format(BRAND, Markup(after))


def notice_page(body: Markup, classes: str = "") -> Markup:
    """A page that shows a notice in place of a step: the brand's header bar and `body` in a
    notice box for a screen reader to announce; `classes` adds to the box's (its kind)."""
    kind = f"swb-notice {classes}" if classes else "swb-notice"
    return Markup('{}<div class="{}" role="alert">{}</div>').format(brand_header(), kind, body)


def refused_page(reason: str, ask: str = "") -> Markup:
    """The page for someone who may not see what its link names: `reason`, then `ask` (what
    else they can do, if anything) and the way to the start page; nothing of any SIG."""
    go = "go to the start page" if ask else "Go to the start page"
    return notice_page(
        Markup('<p><strong>{}.</strong></p><p>{}<a href="{}">{}</a> to see your SIGs.</p>').format(
            reason, ask, step_href(STEPS[0], None, None), go
        ),
        "swb-notice--error",
    )


def you_html(shown: str | None, kept: str | None = None) -> Markup | str:
    """'You: Ana' for the header bar ("" without a name); `kept` is the name the browser
    remembers for this visitor's next pages (sigworkbook.js), where it should."""
    if not shown:
        return ""
    keep = Markup(' data-swb-who="{}"').format(kept) if kept else ""
    return Markup('<span class="swb-who"{}>You: {}</span>').format(keep, shown)


def page_title(step: Step, sig_name: str) -> str:
    """The browser tab's title: 'Charter · Northshire Frailty Network' (the step alone while the
    SIG has no name)."""
    name = " ".join(sig_name.split())
    return f"{step.title} · {name}" if name else step.title


def header_html(
    current: Step,
    sig_name: str,
    sig_id: str | None,
    author: str | None,
    checks: dict[str, StepCheck],
    shown: str | None = None,
) -> Markup:
    """The header bar and the step navigation, the current step marked and complete ones ticked.

    `shown` is the name to show for the author, where it differs (a hub user's display name).
    """
    items = []
    for step in STEPS:
        check = checks.get(step.key)
        classes = ["swb-step"]
        state: str = ""
        if step == current:
            classes.append("swb-step--current")
        if check is not None and check.total and check.complete:
            classes.append("swb-step--done")
            # The tick is drawn for the eye; screen readers hear the words instead.
            state = Markup(
                '<span class="swb-tick" aria-hidden="true">✓</span>'
                '<span class="swb-visually-hidden"> (complete)</span>'
            )
        aria = Markup(' aria-current="page"') if step == current else ""
        items.append(
            Markup('<li class="{}"><a href="{}"{}>{}{}</a></li>').format(
                " ".join(classes), step_href(step, sig_id, author), aria, step.label, state
            )
        )
    # The browser remembers the name for this visitor's next pages; not a hub user's: the hub
    # says who they are.
    who = you_html(shown or author, None if shown else author)
    return Markup(
        '<div class="swb-header" data-swb-title="{}">{}<span class="swb-sig">{}</span>{}</div>'
        '<nav class="swb-steps" aria-label="Workbook steps"><ol>{}</ol></nav>'
    ).format(
        page_title(current, sig_name),
        BRAND,
        sig_name or "Untitled SIG",
        who,
        Markup("").join(items),
    )


def step_link(step: Step, sig_id: str | None, author: str | None) -> Markup:
    """A link to a step, named by its label, carrying the SIG and the participant along."""
    return Markup('<a href="{}">{}</a>').format(step_href(step, sig_id, author), step.label)


def progress_html(check: StepCheck | None) -> str:
    """'4 of 9 done' with a bar, for the current step."""
    if check is None or check.total == 0:
        return ""
    done = check.total - len(check.gaps)
    percent = round(check.progress * 100)
    return (
        f'<div class="swb-progress"><progress max="{check.total}" value="{done}" '
        f'aria-label="Step progress">{percent}%</progress> '
        f"<span>{done} of {check.total} checks done</span></div>"
    )


def status_html(status: SaveStatus) -> Markup:
    cls = "swb-saved" if status.ok else "swb-saved swb-saved--error"
    return Markup('<div class="{}" role="status" aria-live="polite">{}</div>').format(
        cls, status.message
    )


def presence_html(others: list[Visitor], current: Step, me: str | None = None) -> str:
    """'Also on this step: Ana · Elsewhere: Ben (Schedule)' for the other people with this SIG open.

    Each person is named once: on this step if any of their pages is on it, else with the step
    of their most recently seen page (`others` comes most recent first). Pages of the person
    themselves (same name, other tabs) are left out; people who gave no name are "someone".
    """
    titles = {step.key: step.title for step in STEPS}
    steps: dict[str, tuple[str, str]] = {}  # person key -> (name as shown, step)
    unnamed: set[str] = set()
    for visitor in others:
        name = visitor.participant or ""
        if me and name and same_person(name, me):
            continue
        if not name:
            unnamed.add(visitor.step)
            continue
        key = person_key(name)
        if key not in steps or visitor.step == current.key:
            steps[key] = (name, visitor.step)
    places = [*steps.values(), *(("someone", step) for step in unnamed)]
    here = sorted(name for name, step in places if step == current.key)
    away = sorted(
        f"{name} ({titles.get(step, step)})" for name, step in places if step != current.key
    )
    parts = []
    if here:
        parts.append("Also on this step: " + ", ".join(here))
    if away:
        parts.append("Elsewhere: " + ", ".join(away))
    if not parts:
        return ""
    return Markup('<div class="swb-here" aria-live="polite">{}</div>').format(" · ".join(parts))


def next_html(current: Step, sig_id: str | None, author: str | None) -> str:
    index = STEPS.index(current)
    if index + 1 >= len(STEPS):
        return ""
    following = STEPS[index + 1]
    return Markup('<p class="swb-next">Next: <a href="{}">{} →</a></p>').format(
        step_href(following, sig_id, author), following.label
    )


TimerState = dict[str, float | None]
"""A step timer as the plan keeps it: `spent_seconds`, `running_since` (Unix time) or None, and
`added_seconds` (time added to the timebox)."""

ADD_SECONDS = 300
"""What "+5 min" adds to the step's timebox."""
REFUSED_TIMER = "Only the meeting's lead can run the timer"


def clock_html(remaining: int, total: int, *, running: bool, label: str = "Time left") -> str:
    """The clock as every screen shows it: mm:ss, amber at 20% left, red at 5%, and at zero
    "Time's up" with the overtime counting (+02:15)."""
    state = clock_state(remaining, total, running=running)
    classes = "swb-timer-clock" + (f" swb-timer--{state}" if state else "")
    up = (
        Markup('<span class="swb-timer-up" role="alert">Time\'s up</span> ')
        if state == "over"
        else ""
    )
    return Markup('{}<span class="{}" role="timer" aria-label="{}">{}</span>').format(
        up, classes, label, clock_text(remaining)
    )


class Timer(widgets.HBox):
    """The countdown of the step's timebox, with start, pause, reset and "+5 min", shared by
    every screen: its state lives in the plan (`meeting.timers.<step>`), so starting it on one
    screen starts it on all, and each page counts down from the same moment by its own clock.
    Past zero it counts the overtime. `may_control` says whether this page's person may run it
    (the meeting's lead): asked on every press, in the kernel, whatever the page shows."""

    def __init__(
        self,
        minutes: int,
        *,
        share: Callable[[TimerState], None] | None = None,
        clock: Callable[[], float] = time.time,
        may_control: Callable[[], bool] = lambda: True,
    ) -> None:
        self.timebox = minutes * 60
        self.added = 0.0
        self.spent = 0.0
        self.since: float | None = None
        self.share = share
        self.clock = clock
        self.may_control = may_control
        self.refusals = 0
        """Presses refused because this person may not run the timer (for tests and logs)."""
        self._handle: asyncio.TimerHandle | None = None
        self.display_ = styles.html()
        self.toggle = widgets.Button(description="Start timer", icon="play")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.add_button = widgets.Button(
            description="+5 min", tooltip="Add five minutes to this step's timebox"
        )
        on_click(
            self.toggle, lambda: self.pause() if self.running else self.start(), reads_typing=False
        )
        on_click(self.reset_button, self.reset, reads_typing=False)
        on_click(self.add_button, self.add_time, reads_typing=False)
        self.controls = [self.toggle, self.reset_button, self.add_button]
        super().__init__([self.display_, *self.controls])
        self.add_class("swb-timer")
        self.allow(may_control())
        self._show()

    @property
    def total(self) -> int:
        """The timebox in seconds, with the time added to it."""
        return self.timebox + int(self.added)

    @property
    def running(self) -> bool:
        return self.since is not None

    @property
    def remaining(self) -> int:
        """Whole seconds left (negative once over), as of now."""
        spent = self.spent + (max(0.0, self.clock() - self.since) if self.since else 0.0)
        return self.total - int(spent)

    def state(self) -> TimerState:
        return {
            "spent_seconds": round(self.spent, 1),
            "running_since": self.since,
            "added_seconds": self.added,
        }

    def allow(self, allowed: bool) -> None:
        """Show the controls only to whom may use them (the kernel refuses the others anyway)."""
        for button in self.controls:
            button.layout.display = None if allowed else "none"

    def _show(self) -> None:
        self.display_.value = clock_html(self.remaining, self.total, running=self.running)
        self.toggle.description = "Pause" if self.running else "Start timer"
        self.toggle.icon = "pause" if self.running else "play"

    def _tick_on(self) -> None:
        """While running, redraw every second (the time left comes from the clock, not ticks),
        on past zero: the overtime counts."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        loop = kernel_loop()
        if loop is None or not self.running:
            return

        def step() -> None:
            self._show()
            self._handle = loop.call_later(1, step) if self.running else None

        self._handle = loop.call_later(1, step)

    def _set(self, spent: float, since: float | None, added: float, *, publish: bool) -> None:
        self.spent, self.since, self.added = spent, since, added
        self._show()
        self._tick_on()
        if publish and self.share is not None:
            self.share(self.state())

    def follow(self, state: TimerState | None) -> None:
        """Show the timer as the plan has it (started, paused or reset on another screen)."""
        state = state or {}
        spent = float(state.get("spent_seconds") or 0.0)
        since = state.get("running_since")
        added = float(state.get("added_seconds") or 0.0)
        if (spent, since, added) != (self.spent, self.since, self.added):
            self._set(spent, since, added, publish=False)

    def _permitted(self) -> bool:
        if self.may_control():
            return True
        self.refusals += 1
        log.warning("timer: a press from someone who may not run it was refused")
        return False

    def start(self) -> None:
        if not self.running and self._permitted():
            self._set(self.spent, self.clock(), self.added, publish=True)

    def pause(self) -> None:
        if self.since is not None and self._permitted():
            spent = self.spent + max(0.0, self.clock() - self.since)
            self._set(spent, None, self.added, publish=True)

    def reset(self) -> None:
        if self._permitted():
            self._set(0.0, None, 0.0, publish=True)

    def add_time(self) -> None:
        if self._permitted():
            self._set(self.spent, self.since, self.added + ADD_SECONDS, publish=True)

    def set_minutes(self, minutes: int) -> None:
        """Follow a change to the timebox; time already spent stays spent."""
        timebox = minutes * 60
        if timebox != self.timebox:
            self.timebox = timebox
            self._show()
