"""The meeting bar of the app page: who leads, the group's step, following or Rejoin, ready, the
clock, and for the lead the room (who is where, roam, hand over, end the meeting, its record)."""

from __future__ import annotations

import time
from collections.abc import Callable

import ipywidgets as widgets

from sigworkbook.live.kernel import log
from sigworkbook.live.leading import Meeting, Refused, meeting_of
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import meeting as rules
from sigworkbook.plan.model import MeetingRecord
from sigworkbook.plan.people import same_person
from sigworkbook.plan.steps import STEP_BY_KEY, next_step
from sigworkbook.store import Visitor
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.meeting_records import RecordLinks
from sigworkbook.ui.step_clock import StepClock
from sigworkbook.workspace import Loaded

BAR_CLASS = "swb-meeting"
"""The compact bar that stays in view (sticky) on every screen."""
SOUND_TOGGLE = Markup(
    '<label class="swb-meeting-sound"><input type="checkbox" class="swb-sound-at-zero"> '
    "Sound at zero</label>"
)
"""The lead's "Sound at zero" box: off unless the lead's browser remembers it on (the page's
script keeps it, in localStorage); shown to the lead only."""
CHIME = Markup('<span class="swb-chime" data-swb-chime="{}" hidden></span>')
"""Tells the lead's page that the clock reached zero (the n-th time): its script then plays a
short tone, once, if "Sound at zero" is ticked."""


def _button(description: str, css: str, tooltip: str = "") -> widgets.Button:
    button = widgets.Button(
        description=description, tooltip=tooltip or description, layout=widgets.Layout(width="auto")
    )
    button.add_class(css)
    return button


class MeetingBar:
    """The meeting as one person's app page shows it; `go` switches the page to a step."""

    def __init__(
        self,
        session: Session,
        go: Callable[[str], None],
        current: str,
        ahead: Callable[[str], None] | None = None,
    ) -> None:
        self.session = session
        self.meeting: Meeting = meeting_of(session)
        self.go = go
        self.ahead = ahead
        """Asks the app to build a step ahead, off screen, before any other (`App.build_soon`)."""
        self.current = current
        live = self.meeting.live
        self.following = live is None or live.step == current
        self.group_seen: str | None = live.step if live is not None else None
        self.offered: str | None = None
        """The group's step offered with Go (the person was typing when the group moved)."""
        self.last_record: MeetingRecord | None = None

        self.line = widgets.HTML()
        self.line.add_class("swb-meeting-line")
        self.step_clock = StepClock(session, at_zero=self._at_zero)
        self.clock = self.step_clock.widget
        self.notice = widgets.HTML()
        self.notice.add_class("swb-meeting-notice")
        self.go_button = _button("Go", "swb-meeting-go", "Go to the group's step")
        self.rejoin_button = _button("Rejoin the group", "swb-meeting-rejoin")
        self.ready_button = _button("I'm done with this step", "swb-meeting-ready")
        self.lead_button = _button("Lead the meeting", "swb-meeting-lead")
        self.message = widgets.HTML()
        self.bar = widgets.HBox(
            [
                self.line,
                self.clock,
                self.notice,
                self.go_button,
                self.rejoin_button,
                self.ready_button,
                self.lead_button,
                self.message,
            ]
        )
        self.bar.add_class(BAR_CLASS)

        self.ready_line = widgets.HTML()
        self.ready_line.add_class("swb-meeting-readiness")
        self.where = widgets.HTML()
        self.roam = widgets.Checkbox(description="Let people roam freely", indent=False)
        self.roam.layout.width = "auto"
        self.hand_to = widgets.Dropdown(description="Hand the lead to", options=[])
        self.hand_to.style.description_width = "initial"
        self.hand_to.layout.width = "auto"
        self.hand_button = _button("Hand over", "swb-meeting-hand")
        self.end_button = _button("End the meeting", "swb-meeting-end")
        self.record_links = RecordLinks(session)
        self.records = self.record_links.widget
        self.sound = widgets.HTML()
        self.chime = widgets.HTML()
        self.chimes = 0
        """How often the lead's clock reached zero on this page (the chime's number)."""
        self.lead_tools = widgets.HBox(
            [
                self.ready_line,
                self.roam,
                self.sound,
                self.hand_to,
                self.hand_button,
                self.end_button,
            ]
        )
        self.lead_tools.add_class("swb-meeting-tools")
        self.panel = widgets.VBox([self.lead_tools, self.where, self.records, self.chime])
        self.panel.add_class("swb-meeting-panel")

        on_click(self.go_button, self._go_to_group, reads_typing=False)
        on_click(self.rejoin_button, self._go_to_group, reads_typing=False)
        on_click(self.ready_button, self._toggle_ready, reads_typing=False)
        on_click(self.lead_button, self._lead, reads_typing=False)
        on_click(self.hand_button, self._hand_over, reads_typing=False)
        on_click(self.end_button, self._end, reads_typing=False)
        self.roam.observe(lambda change: self._set_roam(bool(change["new"])), names="value")
        session.on_change(self._plan_changed)
        session.on_presence(self._presence_changed)
        self.render()

    # --- what happens -------------------------------------------------------------------

    def _act(self, action: Callable[[], object]) -> None:
        """Run one of the person's actions; a refusal is shown in the bar, never a traceback."""
        try:
            action()
            self.message.value = ""
        except Refused as refused:
            log.warning("meeting: refused: %s", refused)
            self.message.value = Markup(
                '<span class="swb-meeting-refused" role="alert">{}</span>'
            ).format(refused)
        self.render()

    def _lead(self) -> None:
        self._act(lambda: self.meeting.start(self.current))

    def _hand_over(self) -> None:
        name = str(self.hand_to.value or "")
        self._act(lambda: self.meeting.hand_to(name))

    def _set_roam(self, roam: bool) -> None:
        live = self.meeting.live
        if live is None or live.roam == roam:
            return
        self._act(lambda: self.meeting.set_roam(roam))

    def _toggle_ready(self) -> None:
        live = self.meeting.live
        ready = live is not None and any(same_person(n, self.meeting.me) for n in live.ready)
        self._act(lambda: self.meeting.set_ready(not ready))

    def _end(self) -> None:
        def end() -> None:
            self.last_record = self.meeting.end()

        self._act(end)

    def _go_to_group(self) -> None:
        live = self.meeting.live
        if live is not None:
            self.following = True
            self.offered = None
            self.go(live.step)

    def went(self, step: str) -> None:
        """The page now shows `step` (the person's click, Back, or following the group)."""
        self.current = step
        live = self.meeting.live
        if live is not None and self.meeting.leading:
            self._act(lambda: self.meeting.move(step))
            return
        if live is not None:
            self.following = step == live.step
            if self.following:
                self.offered = None
        self.render()
        self._group_next_ahead()

    def _plan_changed(self, _: Loaded) -> None:
        self.follow()
        self.render()
        self._group_next_ahead()

    def _group_next_ahead(self) -> None:
        """While a meeting goes on, ask for the step after the group's to be built ahead, so
        that following the lead there is a switch."""
        live = self.meeting.live
        following = next_step(STEP_BY_KEY[live.step]) if live is not None else None
        if following is not None and self.ahead is not None:
            self.ahead(following.key)

    def _at_zero(self) -> None:
        """The clock of the step on screen reached zero: the lead's page is told to chime (its
        script plays the tone if the lead ticked "Sound at zero"); nobody else's."""
        if self.meeting.live is not None and self.meeting.leading:
            self.chimes += 1
            self.chime.value = CHIME.format(self.chimes)

    def _presence_changed(self, _: list[Visitor]) -> None:
        try:
            self.meeting.note_attendees()
        except Exception:
            log.exception("keeping the attendees failed")
        self.render()

    def follow(self) -> None:
        """When the group has moved: follow it, unless roaming, wandered off, or typing (then
        the move is offered with Go)."""
        live = self.meeting.live
        if live is None:
            self.group_seen, self.offered, self.following = None, None, True
            return
        if self.meeting.leading or live.step == self.group_seen:
            return
        self.group_seen = live.step
        if live.roam or not self.following or live.step == self.current:
            return
        if self.meeting.typing:
            self.offered = live.step
            return
        self.offered = None
        self.go(live.step)

    # --- what shows ---------------------------------------------------------------------

    def render(self) -> None:
        live = self.meeting.live
        leading = self.meeting.leading
        present = self.meeting.present()
        show = {
            self.go_button: False,
            self.rejoin_button: False,
            self.ready_button: False,
            self.lead_button: False,
            self.lead_tools: False,
            self.where: False,
        }
        notice = ""
        if live is None:
            self.line.value = '<span class="swb-meeting-state">No meeting going on</span>'
            show[self.lead_button] = self.meeting.may_lead
            self.lead_button.description = "Lead the meeting"
        else:
            late = rules.agenda_text(
                rules.lateness(live, self.session.loaded.plan.meeting.timeboxes, time.time())
            )
            who = "You lead" if leading else f"Led by {live.lead}"
            group = rules.step_label(live.step)
            state = f"Group: {group}"
            if live.roam:
                state += " · free to roam"
            self.line.value = Markup(
                '<span class="swb-meeting-state" data-group="{}">{} · {}</span> '
                '<span class="swb-meeting-agenda">{}</span>'
            ).format(live.step, who, state, late)
            if leading:
                show[self.lead_tools] = show[self.where] = True
                self.ready_line.value = Markup(
                    '<span class="swb-meeting-count" role="status">{}</span>'
                ).format(rules.ready_text(live, present))
                self.where.value = self._where_html(live.step)
                others = [n for n in present if not same_person(n, self.meeting.me)]
                if list(self.hand_to.options) != others:
                    chosen = self.hand_to.value
                    self.hand_to.options = others
                    self.hand_to.value = chosen if chosen in others else next(iter(others), None)
                if self.roam.value != live.roam:
                    self.roam.value = live.roam
            else:
                if self.offered is not None and self.current != live.step:
                    notice = f"The group has moved to {group}"
                    show[self.go_button] = True
                elif self.current != live.step and (live.roam or not self.following):
                    notice = f"The group is on {group}"
                    show[self.go_button if live.roam else self.rejoin_button] = True
                else:
                    notice = "Following the group"
                ready = any(same_person(n, self.meeting.me) for n in live.ready)
                self.ready_button.description = (
                    "Not done yet" if ready else "I'm done with this step"
                )
                show[self.ready_button] = self.current == live.step and bool(self.meeting.me)
                if not self.meeting.lead_present() and self.meeting.may_lead:
                    show[self.lead_button] = True
                    self.lead_button.description = "Take the lead"
        self.notice.value = (
            Markup('<span class="swb-meeting-follow" role="status">{}</span>').format(notice)
            if notice
            else ""
        )
        self.sound.value = SOUND_TOGGLE if leading else ""
        for widget, shown in show.items():
            widget.layout.display = None if shown else "none"
        self.record_links.show(visible=self.meeting.live is None or self.meeting.leading)
        self._show_clock()

    def _where_html(self, group: str) -> Markup:
        away = [
            f"{name} ({rules.step_label(step)})"
            for name, step in sorted(self.meeting.where().items())
            if step != group
        ]
        text = (
            "Everyone is with the group" if not away else "Not with the group: " + ", ".join(away)
        )
        return Markup('<div class="swb-meeting-where">{}</div>').format(text)

    def _show_clock(self) -> None:
        """The clock of the step on screen, ticking each second while it runs."""
        self.step_clock.show(self.current)
