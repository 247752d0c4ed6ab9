"""Finding one person in stored plans and working out their erasure: which texts name them or
their contact (in any case, also inside free text), and every plan and history row without them."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sigworkbook.plan.paths import PathError, canonical_json, get_path, parse_path
from sigworkbook.plan.paths import set_path_in_place as _set
from sigworkbook.plan.people import person_key
from sigworkbook.store.interface import StoreError

OWN_FIELDS: Final = ("name", "contact", "organisation")
"""The fields of a person's own record (a core group member, an invitee) that go with them:
the name becomes the placeholder, the others are emptied."""
PLACEHOLDERS: Final = ("Former member {n}", "Erased person {n}", "Person {n}")
_NAME: Final = "name"
_CONTACT: Final = "contact"


def _pattern(term: str) -> str:
    """A term as a regular expression: any case, any run of spaces between its words, and
    never inside a longer word ("Ann" is not found in "Annual")."""
    words = [re.escape(word) for word in term.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


@dataclass(frozen=True)
class Matcher:
    """The texts that identify one person: their name and the contacts found with it."""

    name: str
    terms: tuple[str, ...]
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Longest first, so a contact is replaced whole before any name inside it.
        ordered = sorted({t for t in self.terms if t.strip()}, key=len, reverse=True)
        if not ordered:
            raise StoreError("Name: is empty: type the name (or contact) of the person")
        regex = re.compile("|".join(_pattern(t) for t in ordered), re.IGNORECASE)
        object.__setattr__(self, "_regex", regex)

    def found_in(self, text: str) -> bool:
        """Whether `text` names the person anywhere."""
        return self._regex.search(text) is not None

    def is_them(self, text: str) -> bool:
        """Whether `text` as a whole is the person's name or contact (e.g. a vote, an author)."""
        return any(person_key(text) == person_key(term) for term in self.terms)

    def replace(self, text: str, placeholder: str) -> str:
        """`text` with every mention of the person replaced by `placeholder` (repeated until
        none is left: a replacement never leaves a new mention behind)."""
        for _ in range(10):
            replaced = self._regex.sub(lambda _: placeholder, text)
            if replaced == text:
                return text
            text = replaced
        raise StoreError(f"the name {self.name!r} cannot be replaced in a text")

    def placeholder(self, number: int) -> str:
        """The first of the placeholders "Former member N" (N from `number`) not naming them."""
        for n in itertools.count(number):
            for form in PLACEHOLDERS:
                text = form.format(n=n)
                if not self.found_in(text):
                    return text
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class Records:
    """The person-like records (a dict with a name or a contact) seen in a SIG's history."""

    seen: set[tuple[str | None, str, str]] = field(default_factory=set)
    """(row id, name, contact) of each record."""

    def note(self, value: Any) -> None:
        """Remember every record in `value` (a plan or part of one)."""
        for record in _dicts(value):
            self.note_one(record)

    def note_one(self, value: Any) -> None:
        """Remember `value` itself if it is a record (not what it contains)."""
        if not isinstance(value, dict):
            return
        name, contact, row_id = value.get(_NAME), value.get(_CONTACT), value.get("id")
        if isinstance(name, str) or isinstance(contact, str):
            self.seen.add(
                (
                    row_id if isinstance(row_id, str) else None,
                    name if isinstance(name, str) else "",
                    contact if isinstance(contact, str) else "",
                )
            )


def matcher_for(
    name: str, records: Records, also: Sequence[str] = ()
) -> tuple[Matcher, frozenset[str]]:
    """The matcher of the person called (or reachable at) `name` (and `also`: other spellings
    or contacts of theirs), with the names and contacts of the records that are theirs, and
    the ids of those records."""
    if not person_key(name):
        raise StoreError("Name: is empty: type the name (or contact) of the person")
    given = [name, *(a for a in also if person_key(a))]
    for term in given:
        if not re.search(r"\w", term):
            raise StoreError(f"Name: '{term}' has no letter or digit: it names nobody")
    keys = {person_key(term) for term in given}
    terms = {" ".join(term.split()) for term in given}
    own_ids: set[str] = set()
    for row_id, record_name, contact in records.seen:
        if person_key(record_name) in keys or (contact and person_key(contact) in keys):
            terms.update(t for t in (record_name, contact) if t.strip())
            if row_id is not None:
                own_ids.add(row_id)
    return Matcher(name, tuple(sorted(terms))), frozenset(own_ids)


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON value, outermost first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item)


@dataclass(frozen=True)
class Scrubber:
    """Rewrites JSON values without the person: every text naming them gets the placeholder,
    and their own records lose their contact and organisation."""

    matcher: Matcher
    own_ids: frozenset[str]
    placeholder: str

    def is_own(self, record: dict[str, Any]) -> bool:
        """Whether `record` is the person's own (by its row id, or by its name or contact)."""
        row_id = record.get("id")
        if isinstance(row_id, str) and row_id in self.own_ids:
            return True
        return any(
            isinstance(record.get(key), str) and self.matcher.is_them(record[key])
            for key in (_NAME, _CONTACT)
        )

    def own_field(self, key: str, value: Any) -> Any:
        """The value of field `key` of their own record once they are erased."""
        if not isinstance(value, str) or key not in OWN_FIELDS:
            return self.scrub(value)
        if key == _NAME:
            return self.placeholder if value.strip() else value
        return ""

    def scrub(self, value: Any) -> Any:
        """`value` (any JSON) without the person."""
        if isinstance(value, str):
            return self.matcher.replace(value, self.placeholder)
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            if self.is_own(value):
                return {key: self.own_field(key, item) for key, item in value.items()}
            return {key: self.scrub(item) for key, item in value.items()}
        return value

    def scrub_at(self, plan: dict[str, Any], path: str) -> Any:
        """The value at `path` of the scrubbed `plan` (a field of their own record included)."""
        value = get_path(plan, path)
        parts = parse_path(path) if path else ()
        if parts and isinstance(parts[-1], str):
            parent = get_path(plan, ".".join(str(p) for p in parts[:-1]))
            if isinstance(parent, dict) and self.is_own(parent):
                return self.own_field(parts[-1], value)
        return self.scrub(value)

    def text(self, text: str | None) -> str | None:
        """An author or a note without the person."""
        return None if text is None else self.matcher.replace(text, self.placeholder)


@dataclass(frozen=True)
class HistoryRow:
    """One stored history row, as erasure reads and rewrites it."""

    revision: int
    path: str
    value: str
    author: str | None
    note: str | None


def note_records(rows: Sequence[HistoryRow], records: Records) -> None:
    """Remember the records of a SIG's whole history (rows oldest first): in each value, and
    around each change (a name typed into an existing row)."""
    plan: dict[str, Any] = {}
    for row in rows:
        value = json.loads(row.value)
        try:
            plan = _set(plan, row.path, value)
        except PathError:
            continue
        records.note(value)
        parts = parse_path(row.path) if row.path else ()
        for n in range(len(parts)):
            records.note_one(get_path(plan, ".".join(str(p) for p in parts[:n]), None))


def rewritten(
    rows: Sequence[HistoryRow], scrubber: Scrubber
) -> tuple[list[HistoryRow], list[tuple[HistoryRow, str]], dict[str, Any]]:
    """The rows (oldest first) that change, each with what changes in it (value, author,
    note), and the plan that replaying the rewritten history gives."""
    original: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changed: list[HistoryRow] = []
    places: list[tuple[HistoryRow, str]] = []
    for row in rows:
        original = _set(original, row.path, json.loads(row.value))
        new_value = canonical_json(scrubber.scrub_at(original, row.path))
        new_author, new_note = scrubber.text(row.author), scrubber.text(row.note)
        after = _set(after, row.path, json.loads(new_value))
        what = [
            label
            for label, old, new in (
                ("value", row.value, new_value),
                ("author", row.author, new_author),
                ("note", row.note, new_note),
            )
            if old != new
        ]
        if what:
            changed.append(HistoryRow(row.revision, row.path, new_value, new_author, new_note))
            places.extend((row, label) for label in what)
    return changed, places, after


def leaf_places(plan: Any, scrubber: Scrubber, prefix: str = "") -> list[tuple[str, Any]]:
    """The (path, value) of every field of `plan` that erasure would change."""
    found: list[tuple[str, Any]] = []
    if isinstance(plan, dict):
        own = scrubber.is_own(plan)
        for key, value in plan.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if own and key in OWN_FIELDS and isinstance(value, str):
                if scrubber.own_field(key, value) != value:
                    found.append((path, value))
            else:
                found.extend(leaf_places(value, scrubber, path))
    elif isinstance(plan, list):
        for index, item in enumerate(plan):
            found.extend(leaf_places(item, scrubber, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(plan, str) and scrubber.scrub(plan) != plan:
        found.append((prefix, plan))
    return found
