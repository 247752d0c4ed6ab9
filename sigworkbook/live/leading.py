"""The meeting as one person's kernel takes part in it: leading, following, ready, the record.

The meeting's state is in the plan (`meeting.live`), so every kernel of the SIG sees it through
the change feed within half a second and it outlives any kernel. Every rule is checked here, in
the kernel, whatever a page sends: only the lead moves the group, lets it roam, hands over, ends
the meeting or runs the timer.
"""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import Callable
from typing import Any

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.kernel import log
from sigworkbook.live.session import Session
from sigworkbook.plan import meeting as rules
from sigworkbook.plan.fields import in_words, value_in_words
from sigworkbook.plan.model import LiveMeeting, MeetingRecord
from sigworkbook.plan.people import same_person
from sigworkbook.plan.voting import decision_text
from sigworkbook.store import StoreError
from sigworkbook.workspace import NAME_DECISION, NAME_IDEAS, VOTING_ROUND

LIVE = rules.LIVE
MEETING = rules.MEETING
TYPING_SECONDS = 4.0
"""Someone who typed this recently is not moved by the lead: they are offered the move."""

NOT_LEAD = "Only the meeting's lead can do that"
NO_MEETING = "No meeting is going on"
MAY_NOT_LEAD = "You can't lead this meeting"


class Refused(SigworkbookError):
    """Something only the lead (or someone who may lead) can do; the message says what."""


class Meeting:
    """One person's part in the SIG's meeting: reads `meeting.live`, writes what they may."""

    def __init__(self, session: Session, clock: Callable[[], float] = time.time) -> None:
        self.session = session
        self.clock = clock

    # --- reading ------------------------------------------------------------------------

    @property
    def live(self) -> LiveMeeting | None:
        live: LiveMeeting | None = self.session.loaded.plan.meeting.live
        return live

    @property
    def me(self) -> str:
        return " ".join((self.session.author or "").split())

    @property
    def leading(self) -> bool:
        """Whether this page's person leads the meeting going on."""
        return rules.is_lead(self.live, self.me)

    @property
    def may_lead(self) -> bool:
        """Whether this person may lead: named and allowed to edit the SIG (hosted: an owner or
        an editor; locally anyone who gave their name)."""
        return bool(self.me) and not self.session.read_only

    def present(self) -> list[str]:
        """Everyone with the SIG open, this person included, each once."""
        return rules.people([self.me, *(v.participant for v in self.session.here)])

    def lead_present(self) -> bool:
        live = self.live
        return live is not None and any(same_person(n, live.lead) for n in self.present())

    def where(self) -> dict[str, str]:
        """Each other named person's step (their most recently seen page)."""
        places: dict[str, str] = {}
        for visitor in self.session.here:
            name = " ".join((visitor.participant or "").split())
            if name and not any(same_person(name, known) for known in places):
                places[name] = visitor.step
        return places

    @property
    def typing(self) -> bool:
        """Whether this person is in the middle of typing (unsaved, or typed a moment ago)."""
        recent = time.monotonic() - self.session.typed_at < TYPING_SECONDS
        return self.session.has_pending or recent

    def may_run_timer(self) -> bool:
        """Whether this person may start, pause, reset or add time: the lead while a meeting
        goes on; without a meeting, anyone who may edit."""
        if self.session.read_only:
            return False
        return self.leading if self.live is not None else True

    # --- writing ------------------------------------------------------------------------

    def _write(self, change: Callable[[LiveMeeting | None], LiveMeeting | None]) -> bool:
        """Save `change(meeting now)` in one transaction: not an edit of anyone's (no author,
        left out of the history panel and of Undo)."""

        def apply(current: Any) -> Any:
            live = LiveMeeting.model_validate(current) if current else None
            new = change(live)
            return new.model_dump(mode="json") if new is not None else None

        try:
            self.session.workspace.update(self.session.sig_id, LIVE, apply)
        except (SigworkbookError, StoreError):
            log.exception("the meeting could not be saved")
            return False
        with contextlib.suppress(StoreError):
            self.session.refresh()
        return True

    def _require_lead(self) -> LiveMeeting:
        live = self.live
        if live is None:
            raise Refused(NO_MEETING)
        if not self.leading or self.session.read_only:
            raise Refused(NOT_LEAD)
        return live

    def start(self, step: str) -> None:
        """Lead the meeting: start one on `step`, or take over one whose lead has gone."""
        if not self.may_lead:
            raise Refused(MAY_NOT_LEAD)
        if self.live is not None and self.lead_present() and not self.leading:
            raise Refused(f"{self.live.lead} leads this meeting: ask them to hand it over")
        me, now = self.me, self.clock()
        revision = self.session.loaded.revision

        def change(live: LiveMeeting | None) -> LiveMeeting:
            if live is None:
                return rules.started(me, step, now, revision)
            return rules.handed_to(live, me)

        self._write(change)

    def hand_to(self, name: str) -> None:
        """The lead hands the meeting to `name`, someone here who may lead."""
        self._require_lead()
        if not any(same_person(name, n) for n in self.present()):
            raise Refused(f"{name} is not here")
        user = self.session.workspace.user
        if user is not None:  # hosted: an owner or editor of the SIG
            roles = {m.user: m.role for m in self.session.workspace.members(self.session.sig_id)}
            if roles.get(name) not in ("owner", "editor"):
                raise Refused(f"{name} can't lead: only the SIG's owners and editors can")
        self._write(lambda live: rules.handed_to(live, name) if live else None)

    def move(self, step: str) -> None:
        """The lead is on `step`: so is the group."""
        live = self._require_lead()
        if live.step != step:
            now = self.clock()
            self._write(lambda live: rules.moved(live, step, now) if live else None)

    def set_roam(self, roam: bool) -> None:
        self._require_lead()
        self._write(lambda live: rules.with_roam(live, roam) if live else None)

    def set_ready(self, ready: bool) -> None:
        """This person is done with the group's step (or not yet)."""
        if self.live is None:
            raise Refused(NO_MEETING)
        if not self.me or self.session.read_only:
            raise Refused("Give your name to say you are ready")
        me = self.me
        self._write(lambda live: rules.with_ready(live, me, ready) if live else None)

    def note_attendees(self) -> None:
        """The lead's kernel keeps everyone it has seen here among the attendees."""
        live = self.live
        if live is None or not self.leading:
            return
        if rules.with_attendees(live, self.present()) is live:
            return
        names = self.present()
        self._write(lambda live: rules.with_attendees(live, names) if live else None)

    def end(self) -> MeetingRecord:
        """The lead ends the meeting: its record is kept with the SIG, and returned."""
        live = self._require_lead()
        now = self.clock()
        timeboxes = dict(self.session.loaded.plan.meeting.timeboxes)
        changes, decisions = self.changes_since(live.started_revision)
        live = rules.with_attendees(live, self.present())
        made = rules.record(live, timeboxes, now, changes=changes, decisions=decisions)

        def apply(current: Any) -> Any:
            meeting = dict(current or {})
            meeting["live"] = None
            meeting["records"] = [*(meeting.get("records") or []), made.model_dump(mode="json")]
            return meeting

        try:
            self.session.workspace.update(self.session.sig_id, MEETING, apply)
        except (SigworkbookError, StoreError) as error:
            raise Refused(f"The meeting's record could not be saved: {error}") from error
        with contextlib.suppress(StoreError):
            self.session.refresh()
        return made

    def changes_since(self, revision: int) -> tuple[list[str], list[str]]:
        """What changed in the plan after `revision`, in plain words (the latest value of each
        field, with who changed it), and the decisions taken (the name chosen)."""
        history = self.session.workspace.history(self.session.sig_id)
        document = self.session.document
        latest: dict[str, tuple[Any, list[str]]] = {}
        for change in reversed(history):  # oldest first
            if change.revision <= revision or not change.path:
                continue
            if change.path.split(".")[0] == MEETING or change.path.startswith(
                (VOTING_ROUND, NAME_IDEAS)
            ):
                continue
            _, authors = latest.get(change.path, (None, []))
            who = change.author or "someone"
            latest[change.path] = (change.value, [*authors, who] if who not in authors else authors)
        changes = []
        decisions = []
        for path, (value, authors) in latest.items():
            if path == NAME_DECISION:
                decision = decision_text(value if isinstance(value, dict) else None)
                if decision:
                    decisions.append(decision)
                continue
            try:
                words = value_in_words(path, value)
                place = in_words(path, document)
            except Exception:  # a field the plan no longer has: said by its place alone
                words, place = "", path
            what = f"{place}: {words}" if words else f"{place}: emptied"
            changes.append(f"{what} (by {', '.join(authors)})")
        return changes, decisions


_meetings: weakref.WeakKeyDictionary[Session, Meeting] = weakref.WeakKeyDictionary()


def meeting_of(session: Session) -> Meeting:
    """The one `Meeting` of a session (the app's steps and bar share it)."""
    found = _meetings.get(session)
    if found is None:
        found = _meetings[session] = Meeting(session)
    return found
