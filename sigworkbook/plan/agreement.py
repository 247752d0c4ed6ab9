"""Quick agreement checks on the charter's sections: a fist of five, hidden until revealed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigworkbook.errors import SigworkbookError
from sigworkbook.plan.fields import label
from sigworkbook.plan.model import Plan
from sigworkbook.plan.paths import canonical_json, get_path
from sigworkbook.plan.people import person_key, same_person
from sigworkbook.plan.sections import CHARTER_SECTIONS, CharterSection
from sigworkbook.plan.voting import plural, unique_names

Check = dict[str, Any]
"""`charter.agreement.<section>` as the plan stores it (status, started_on, checked, answers:
[{voter, level}] while open, tally: six counts once revealed)."""

AGREEMENT = "charter.agreement"
"""Where the checks are kept, one per section key."""

LEVELS = range(6)
"""A fist of five: 0 (a fist: not ready) to 5 (five fingers: fully agree)."""

LEVEL_WORDS: dict[int, str] = {
    0: "not ready: I cannot agree to this",
    1: "serious concerns",
    2: "concerns we should talk through",
    3: "I can live with it",
    4: "I agree",
    5: "fully agree: I will champion it",
}
"""What each answer means, as the page and its tooltips say it."""

SURE = 3
"""Answers from this one up say 'ready to agree'; below it, someone is not yet sure."""


class AgreementError(SigworkbookError, ValueError):
    """An agreement check or answer that cannot be accepted; the message says why."""


def section_title(section: CharterSection | str) -> str:
    """The section's name as the page shows it ('Scope', 'What are we trying to do?')."""
    found = CHARTER_SECTIONS[section] if isinstance(section, str) else section
    return found.title or label(found.paths[0])


def fingerprint(document: Mapping[str, Any], key: str) -> str:
    """A short fingerprint of section `key`'s fields in the plan `document` (its JSON data):
    equal while the section reads the same, different after any change to it."""
    values = [get_path(document, path, None) for path in CHARTER_SECTIONS[key].paths]
    return hashlib.sha256(canonical_json(values).encode()).hexdigest()[:16]


def _voter(voter: str | None) -> str:
    name = " ".join(str(voter or "").split())
    if not name:
        raise AgreementError("only a named participant can answer: give your name first")
    return name


def is_open(check: Check | None) -> bool:
    return check is not None and check.get("status") == "open"


def is_revealed(check: Check | None) -> bool:
    return check is not None and check.get("status") == "revealed"


def start(document: Mapping[str, Any], key: str, today: dt.date | None = None) -> Check:
    """A new open check of section `key` as it reads now in `document`."""
    if key not in CHARTER_SECTIONS:
        raise AgreementError(f"'{key}' is not a section of the charter")
    return {
        "status": "open",
        "started_on": (today or dt.date.today()).isoformat(),
        "checked": fingerprint(document, key),
        "answers": [],
        "tally": [],
    }


def start_in(checks: Mapping[str, Check] | None, check: Check, key: str) -> dict[str, Check]:
    """The checks with `check` started on section `key`; AgreementError while one is open."""
    current = dict(checks or {})
    if is_open(current.get(key)):
        raise AgreementError("a check of this section is already open")
    return {**current, key: check}


def answer_of(check: Check | None, voter: str | None) -> int | None:
    """`voter`'s own answer while the check is open (None: not answered)."""
    if not is_open(check) or not voter:
        return None
    assert check is not None
    for given in check.get("answers", []):
        if same_person(str(given.get("voter", "")), voter):
            return int(given["level"])
    return None


def answer(check: Check | None, voter: str | None, level: int | None) -> Check:
    """The check with `voter`'s answer set to `level` (None takes it back). AgreementError
    when the check is not open or the level is not 0 to 5."""
    name = _voter(voter)
    if check is None or not is_open(check):
        raise AgreementError("this check is not open: start one first")
    if level is not None and (isinstance(level, bool) or level not in LEVELS):
        raise AgreementError("an answer is a number from 0 to 5")
    kept = None
    others = []
    for given in check.get("answers", []):
        if same_person(str(given.get("voter", "")), name):
            kept = str(given.get("voter"))
        else:
            others.append(dict(given))
    mine = [] if level is None else [{"voter": kept or name, "level": level}]
    return {**check, "answers": [*others, *mine]}


def answered(check: Check | None) -> list[str]:
    """Who has answered an open check (never what)."""
    if not is_open(check):
        return []
    assert check is not None
    return [str(given.get("voter")) for given in check.get("answers", [])]


def reveal(check: Check | None) -> Check:
    """The check revealed: how many gave each answer, and no longer who gave which."""
    if check is None or not is_open(check):
        raise AgreementError("only an open check can be revealed")
    tally = [0] * len(LEVELS)
    for given in check.get("answers", []):
        tally[int(given["level"])] += 1
    return {**check, "status": "revealed", "answers": [], "tally": tally}


def expected(check: Check | None, core_group: Iterable[str], present: Iterable[str]) -> list[str]:
    """Who a check waits for: the core group, the named people on the charter now, and
    everyone who has answered."""
    return unique_names([*core_group, *present, *answered(check)])


def waiting_for(check: Check | None, people: Iterable[str]) -> list[str]:
    """The people who have not answered yet."""
    through = {person_key(name) for name in answered(check)}
    return [name for name in unique_names(people) if person_key(name) not in through]


def maybe_reveal(check: Check, people: Iterable[str]) -> Check:
    """The check revealed when everyone it waits for has answered, else as it is."""
    everyone = expected(check, [], people)
    return reveal(check) if is_open(check) and not waiting_for(check, everyone) else check


def progress_text(check: Check | None, people: Sequence[str]) -> str:
    """'2 of 3 have answered; waiting for: Tom'."""
    everyone = expected(check, [], people)
    missing = waiting_for(check, everyone)
    done = len(everyone) - len(missing)
    text = f"{done} of {len(everyone)} {'has' if len(everyone) == 1 else 'have'} answered"
    return f"{text}; waiting for: {', '.join(missing)}" if missing else f"{text}: everyone"


def counts(check: Check | None) -> list[int]:
    """How many gave each answer (0 to 5) in a revealed check; all zero otherwise."""
    tally = list((check or {}).get("tally") or []) if is_revealed(check) else []
    return [int(n) for n in tally] if len(tally) == len(LEVELS) else [0] * len(LEVELS)


def unsure(check: Check | None) -> bool:
    """Whether someone in a revealed check is not yet sure (answered below 3)."""
    return any(counts(check)[:SURE])


def stale(check: Check | None, document: Mapping[str, Any], key: str) -> bool:
    """Whether section `key` has changed since the check was started."""
    return check is not None and check.get("checked") != fingerprint(document, key)


def result_text(check: Check | None) -> str:
    """A revealed check in words, never who said what: '4 answers: 5, 4, 4, 2; not everyone
    is sure yet (the lowest is 2)' or '3 answers: 5, 4, 3; ready to agree'."""
    numbers = [level for level in reversed(LEVELS) for _ in range(counts(check)[level])]
    if not numbers:
        return "Nobody answered."
    given = f"{plural(len(numbers), 'answer')}: {', '.join(str(n) for n in numbers)}"
    if unsure(check):
        return f"{given}; not everyone is sure yet (the lowest is {min(numbers)})"
    return f"{given}; ready to agree"


@dataclass(frozen=True)
class Standing:
    """Where the group stands on one section of the charter, for the review page."""

    key: str
    title: str
    words: str


def not_yet_sure(plan: Plan) -> list[Standing]:
    """The sections the group is not yet sure of: a revealed check with an answer below 3, a
    check still open, or a check the section has changed since. Sections never checked are
    not listed (a check is a help, not a duty)."""
    document = plan.model_dump(mode="json")
    result = []
    for key, section in CHARTER_SECTIONS.items():
        raw = plan.charter.agreement.get(key)
        if raw is None:
            continue
        check = raw.model_dump(mode="json")
        if is_open(check):
            words = "being checked: the answers are hidden until they are revealed"
        elif stale(check, document, key):
            words = "changed since the group checked it: check it again"
        elif unsure(check):
            words = result_text(check)
        else:
            continue
        result.append(Standing(key, section_title(section), words))
    return result


def check_in_words(check: Any) -> str:
    """A check as the history tells it: open with how many answers, or its revealed result;
    never who gave which answer."""
    if not isinstance(check, Mapping):
        return ""
    if is_revealed(dict(check)):
        return f"revealed: {result_text(dict(check))}"
    return f"open, {plural(len(check.get('answers', [])), 'answer')}"


def sealed(plan: Plan) -> Plan:
    """The plan as a page may hand it out: open checks without their answers."""
    if not any(c.status == "open" and c.answers for c in plan.charter.agreement.values()):
        return plan
    copy = plan.model_copy(deep=True)
    for check in copy.charter.agreement.values():
        if check.status == "open":
            check.answers = []
    return copy


def check_change(
    before: Mapping[str, Check] | None, after: Mapping[str, Check] | None, voter: str
) -> None:
    """AgreementError unless going from `before` to `after` (every section's check) is what
    `voter` may do: start a check (none open on that section), reveal an open one as it
    stands, or change their own answer alone."""
    old, new = dict(before or {}), dict(after or {})
    if set(old) - set(new):
        raise AgreementError("an agreement check cannot be deleted")
    mine = person_key(voter)
    for key, check in new.items():
        was = old.get(key)
        if check == was:
            continue
        if not is_open(was):
            if not is_open(check) or check.get("answers"):
                raise AgreementError("a new check starts open, with no answers")
            continue
        if is_revealed(check):
            if check != reveal(was):
                raise AgreementError("a check is revealed as it stands")
            continue

        def others(c: Check | None) -> list[tuple[str, int]]:
            return sorted(
                (person_key(str(a.get("voter"))), int(a.get("level", -1)))
                for a in (c or {}).get("answers", [])
                if person_key(str(a.get("voter"))) != mine
            )

        settled = {k: v for k, v in check.items() if k != "answers"}
        if settled != {k: v for k, v in (was or {}).items() if k != "answers"}:
            raise AgreementError("a check's section and day are fixed once it has started")
        if others(was) != others(check):
            raise AgreementError(f"you can give or take back only your own answer ({voter})")
