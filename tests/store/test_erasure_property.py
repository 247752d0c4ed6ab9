"""Erasure over random histories, on both backends: the person (name in any case and spacing,
contact) is nowhere afterwards, raw database included, and nothing else of any revision moved."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_backends import BACKENDS, Backend, PostgresBackend, SQLiteBackend, raw_text

from sigworkbook.plan.paths import differences, get_path
from sigworkbook.plan.people import person_key
from sigworkbook.plan.validation import normalise
from sigworkbook.store import Store

WORDS = st.text(string.ascii_lowercase, min_size=3, max_size=7)
FILLER = st.lists(
    st.text(string.digits + ".,;!?'-éàø", min_size=1, max_size=8),
    max_size=4,
).map(" ".join)
TARGET_ID = "target1"


@st.composite
def names(draw: st.DrawFn) -> str:
    return f"{draw(WORDS).title()} {draw(WORDS).title()}"


@st.composite
def spelt(draw: st.DrawFn, name: str) -> str:
    """`name` as someone might type it: any case, any run of spaces between its words."""
    words = ["".join(c.upper() if draw(st.booleans()) else c for c in w) for w in name.split()]
    return (" " * draw(st.integers(1, 3))).join(words)


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, str, list[tuple[str | None, list[tuple[str, Any]]]]]:
    """The person's name and contact, and edits ``(author, [(path, value)])`` naming them (and
    others) in the core group, as authors, in votes and in free text."""
    target = draw(names())
    others = draw(st.lists(names(), min_size=1, max_size=3, unique_by=person_key))
    others = [o for o in others if not set(person_key(o).split()) & set(person_key(target).split())]
    if not others:
        others = ["Zed Quorum"]
    contact = f"{target.split()[0].lower()}.{draw(WORDS)}@example.org"

    def text() -> str:
        parts = [draw(FILLER)]
        for _ in range(draw(st.integers(0, 2))):
            parts += [draw(spelt(draw(st.sampled_from([target, contact, *others])))), draw(FILLER)]
        return " ".join(p for p in parts if p)

    edits: list[tuple[str | None, list[tuple[str, Any]]]] = []
    for _ in range(draw(st.integers(1, 5))):
        author = draw(st.sampled_from([None, target, *others]))
        author = draw(spelt(author)) if author else None
        kind = draw(st.sampled_from(["people", "invitation", "votes", "organisation"]))
        if kind == "people":
            people = [
                {"id": f"other{n}", "name": other, "organisation": draw(FILLER), "contact": ""}
                for n, other in enumerate(others)
            ]
            if draw(st.booleans()):
                mine = {"id": TARGET_ID, "name": draw(spelt(target)), "contact": contact}
                people.insert(0, mine | {"organisation": draw(WORDS).title() + " Trust"})
            change: list[tuple[str, Any]] = [("core_group.people", people)]
        elif kind == "invitation":
            change = [("statement.invitation", text())]
        elif kind == "votes":
            voters = draw(st.lists(st.sampled_from([target, *others]), unique=True, max_size=3))
            ideas = [{"id": "ideaone1", "name": draw(WORDS), "votes": voters}]
            change = [("identity.name_ideas", ideas), ("statement.core_statement", text())]
        else:
            change = [("charter.people", text())]
        edits.append((author, change))
    return target, contact, edits


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _mentions(text: str, target: str, contact: str) -> bool:
    flat = " ".join(text.split()).casefold()
    return person_key(target) in flat or contact.casefold() in flat


def _own_field(plan: dict[str, Any], path: str) -> bool:
    """Whether `path` is the name, contact or organisation of the person's own record."""
    parent, _, key = path.rpartition(".")
    record = get_path(plan, parent, None) if parent else None
    return (
        isinstance(record, dict)
        and record.get("id") == TARGET_ID
        and key
        in (
            "name",
            "contact",
            "organisation",
        )
    )


def check_erasure(store: Store, backend: Backend, sig_id: str, history: Any) -> None:
    target, contact, edits = history
    store.create(sig_id, normalise({"id": sig_id}), author=None, validate=normalise)
    for author, change in edits:
        store.apply(sig_id, change, author=author, validate=normalise)
    latest = store.revision(sig_id)
    before = {r: store.plan_at(sig_id, r) for r in range(1, latest + 1)}
    rows_before = store.history(sig_id)
    store.erase_person(target, by="operator", also=[contact])
    assert store.revision(sig_id) == latest
    for revision in range(1, latest + 1):
        after = store.plan_at(sig_id, revision)
        for text in _strings(after):
            assert not _mentions(text, target, contact), (revision, text)
        for path, value in differences(before[revision], after):
            old = get_path(before[revision], path)
            assert isinstance(old, str) and isinstance(value, str), path
            assert _mentions(old, target, contact) or _own_field(before[revision], path), path
    assert store.current(sig_id).plan == store.plan_at(sig_id, latest)
    for old_row, new_row in zip(rows_before, store.history(sig_id), strict=True):
        assert (old_row.revision, old_row.path, old_row.at, old_row.kind) == (
            new_row.revision,
            new_row.path,
            new_row.at,
            new_row.kind,
        )
        if old_row.author is None or not _mentions(old_row.author, target, contact):
            assert new_row.author == old_row.author
        else:
            assert new_row.author and not _mentions(new_row.author, target, contact)
    raw = raw_text(backend)
    assert person_key(target) not in " ".join(raw.split()) and contact not in raw
    assert store.find_person(target, also=[contact]) == []


EXAMPLES = {"sqlite": 25, "postgresql": 10}


@pytest.mark.parametrize("name", BACKENDS)
def test_erasure_over_random_histories(name: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("postgres_url") if name == "postgresql" else None
    counter = iter(range(10**6))

    @settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(histories())
    def run(history: Any) -> None:
        if url is not None:
            backend: Backend = PostgresBackend(url)
            with backend.open() as store:
                sig_id = f"sig{next(counter)}"
                try:
                    check_erasure(store, backend, sig_id, history)
                finally:
                    if store.exists(sig_id):
                        store.delete_sig(sig_id, by=None)
            return
        with tempfile.TemporaryDirectory() as folder:
            backend = SQLiteBackend(Path(folder) / "workspace.db")
            with backend.open() as store:
                check_erasure(store, backend, "sig", history)

    run()
