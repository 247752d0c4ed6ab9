"""Three people's saves of one text field merged in the store's write transaction, on SQLite and
PostgreSQL: the field ends the same whichever save comes first, with every writer's words."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_backends import BACKENDS, make_backend
from text_edits import WORD, base_text, close, edits, in_order, kept_by_all

from sigworkbook.live.session import Session
from sigworkbook.ui.controls import FieldControl
from sigworkbook.workspace import Workspace

PATH = "charter.purpose"
names = itertools.count()


@pytest.fixture(params=BACKENDS)
def workspaces(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Workspace, Workspace, Workspace]]:
    """Three connections to one database, as three kernels would have."""
    backend = make_backend(request, request.param, tmp_path)
    opened = [Workspace(tmp_path, backend.open()) for _ in range(3)]
    yield opened[0], opened[1], opened[2]
    for workspace in opened:
        workspace.close()


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(0, 5).flatmap(lambda n: st.tuples(st.just(n), *(edits(n, w, True) for w in "abc")))
)
def test_saves_from_one_base_merge_the_same_in_either_order(
    workspaces: tuple[Workspace, Workspace, Workspace], drawn: tuple
) -> None:
    n, *writers = drawn
    if any(close(x, y) for x, y in itertools.combinations(writers, 2)):
        return
    base = base_text(n)
    results = []
    for order in (writers, writers[::-1]):
        sig = workspaces[0].new_sig(f"Merge Group {next(names)}", author="setup").plan.id
        workspaces[0].set(sig, PATH, base, author="setup")
        pages = []
        for workspace, writer in zip(workspaces, order, strict=True):
            session = Session(workspace, sig, author=writer.writer)
            control = FieldControl(session, PATH)
            pages.append((session, control, writer))
        for session, control, writer in pages:  # all typed from the base; saved one by one
            session.writer.save_merged(PATH, writer.text(), control)
        field = workspaces[0].load(sig).plan.charter.purpose
        results.append(field)
        for writer in writers:
            assert in_order(writer.added(), field), (writer.writer, field)
        words = WORD.findall(field)
        for word in kept_by_all(n, *writers):
            assert words.count(word) == 1, (word, field)
        for session, _, _ in pages:
            session.close()
    assert results[0] == results[1]
