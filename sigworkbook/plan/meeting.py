"""The meeting's rules: who leads, the group's step, who is ready, time against the agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sigworkbook.plan.model import LiveMeeting, MeetingRecord, StepTime
from sigworkbook.plan.people import person_key, same_person
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS

LOW_SHARE = 0.20
"""The timer turns amber when this share of the timebox is left."""
LATE_SHARE = 0.05
"""The timer turns red when this share of the timebox is left."""
ON_TIME_SECONDS = 60
"""Within this many seconds of the agenda the meeting is on time."""

MEETING = "meeting"
LIVE = "meeting.live"
"""Where the plan keeps the meeting going on now."""
TIMERS = "meeting.timers"
"""Where the plan keeps each step's shared timer."""
RECORDS = "meeting.records"
SET_ASIDE = "meeting.set_aside"
"""Where versions someone typed and that did not end up in a field are kept (with the plan and
its history)."""
STATE = (LIVE, TIMERS, RECORDS)
"""Where the plan keeps the meeting's state (the lead, the group's step, who is ready, the
timers, the records): written by the meeting, nobody's edit of the plan (the agenda's
timeboxes, in `meeting.timeboxes`, are the plan's)."""


def is_state(path: str) -> bool:
    """Whether a change at `path` is the meeting's state (`STATE`, or the whole `meeting`, as
    ending it writes), not an edit of the plan."""
    return path == MEETING or any(path == kept or path.startswith(kept + ".") for kept in STATE)


def started(lead: str, step: str, now: float, revision: int) -> LiveMeeting:
    """A meeting led by `lead`, the group on `step`, begun at `now` (plan at `revision`)."""
    return LiveMeeting(
        lead=lead,
        step=step,
        started_at=now,
        step_since=now,
        started_revision=revision,
        attendees=[lead],
    )


def is_lead(live: LiveMeeting | None, name: str | None) -> bool:
    """Whether `name` leads the meeting `live`."""
    return live is not None and bool((name or "").strip()) and same_person(live.lead, name or "")


def moved(live: LiveMeeting, step: str, now: float) -> LiveMeeting:
    """The group moves to `step`: the time on the step it leaves is kept, nobody is ready yet."""
    if step == live.step:
        return live
    spent = dict(live.spent)
    spent[live.step] = spent.get(live.step, 0.0) + max(0.0, now - live.step_since)
    return live.model_copy(update={"step": step, "step_since": now, "ready": [], "spent": spent})


def with_ready(live: LiveMeeting, name: str, ready: bool) -> LiveMeeting:
    """`name` says they are done with the group's step (or, `ready` False, not yet)."""
    others = [n for n in live.ready if not same_person(n, name)]
    return live.model_copy(update={"ready": [*others, name] if ready else others})


def handed_to(live: LiveMeeting, name: str) -> LiveMeeting:
    """`name` leads from now on."""
    return with_attendees(live.model_copy(update={"lead": name}), [name])


def with_roam(live: LiveMeeting, roam: bool) -> LiveMeeting:
    return live.model_copy(update={"roam": roam})


def with_attendees(live: LiveMeeting, names: Iterable[str]) -> LiveMeeting:
    """`live` with every named person in `names` among its attendees (each once)."""
    known = {person_key(n) for n in live.attendees}
    added = []
    for name in names:
        name = " ".join((name or "").split())
        if name and person_key(name) not in known:
            known.add(person_key(name))
            added.append(name)
    return live.model_copy(update={"attendees": [*live.attendees, *added]}) if added else live


def people(names: Iterable[str | None]) -> list[str]:
    """Each named person once (by `person_key`), in the order first met."""
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join((name or "").split())
        if name and person_key(name) not in seen:
            seen[person_key(name)] = name
    return list(seen.values())


def readiness(live: LiveMeeting, present: Iterable[str | None]) -> tuple[list[str], list[str]]:
    """Of the people present other than the lead: who is ready, and who is not yet."""
    group = [n for n in people(present) if not same_person(n, live.lead)]
    ready = {person_key(n) for n in live.ready}
    return (
        [n for n in group if person_key(n) in ready],
        [n for n in group if person_key(n) not in ready],
    )


def ready_text(live: LiveMeeting, present: Iterable[str | None]) -> str:
    """'3 of 5 ready (not yet: Ben, Cai)'."""
    ready, waiting = readiness(live, present)
    total = len(ready) + len(waiting)
    if not total:
        return "Nobody else here yet"
    text = f"{len(ready)} of {total} ready"
    return text + (f" (not yet: {', '.join(sorted(waiting, key=str.casefold))})" if waiting else "")


def spent_so_far(live: LiveMeeting, now: float) -> dict[str, float]:
    """Seconds the group has spent on each step, the one it is on counted up to `now`."""
    spent = dict(live.spent)
    spent[live.step] = spent.get(live.step, 0.0) + max(0.0, now - live.step_since)
    return spent


def lateness(live: LiveMeeting, timeboxes: Mapping[str, int], now: float) -> float:
    """Seconds the meeting is behind its agenda (negative: ahead). A step left counts what it
    took against its timebox; the step it is on counts only once it runs over."""
    late = 0.0
    for key, seconds in live.spent.items():
        if key != live.step and timeboxes.get(key):
            late += seconds - timeboxes[key] * 60
    box = timeboxes.get(live.step, 0) * 60
    if box:
        late += max(0.0, spent_so_far(live, now)[live.step] - box)
    return late


def agenda_text(seconds_late: float) -> str:
    """'4 min behind the agenda', '2 min ahead of the agenda' or 'On time'."""
    if abs(seconds_late) < ON_TIME_SECONDS:
        return "On time"
    minutes = round(abs(seconds_late) / 60)
    return f"{minutes} min {'behind' if seconds_late > 0 else 'ahead of'} the agenda"


def clock_text(remaining: int) -> str:
    """Time left as mm:ss, or the overtime as +mm:ss once it has run out."""
    minutes, seconds = divmod(abs(remaining), 60)
    return f"{'+' if remaining < 0 else ''}{minutes:02d}:{seconds:02d}"


def clock_state(remaining: int, total: int, *, running: bool) -> str:
    """How the clock looks: '' (plenty left), 'low' (20% left), 'late' (5%), 'over'."""
    if remaining <= 0 and (running or remaining < 0):
        return "over"
    if total and running and remaining <= total * LATE_SHARE:
        return "late"
    if total and running and remaining <= total * LOW_SHARE:
        return "low"
    return ""


def record(
    live: LiveMeeting,
    timeboxes: Mapping[str, int],
    now: float,
    *,
    changes: list[str],
    decisions: list[str],
) -> MeetingRecord:
    """The record of the meeting `live`, ended at `now`."""
    spent = spent_so_far(live, now)
    steps = [
        StepTime(
            step=step.key,
            planned_minutes=timeboxes.get(step.key, 0),
            spent_seconds=round(spent[step.key], 1),
        )
        for step in STEPS
        if step.key in spent
    ]
    return MeetingRecord(
        date=dt.datetime.fromtimestamp(live.started_at).date(),
        started_at=live.started_at,
        ended_at=max(now, live.started_at),
        lead=live.lead,
        attendees=sorted(people(live.attendees), key=str.casefold),
        steps=steps,
        changes=changes,
        decisions=decisions,
    )


def step_label(key: str) -> str:
    """'3. Charter' for 'charter'."""
    step = STEP_BY_KEY.get(key)
    return step.label if step is not None else key


def minutes_text(seconds: float) -> str:
    """'12 min', or '45 s' under a minute."""
    return f"{round(seconds / 60)} min" if seconds >= 60 else f"{round(seconds)} s"
