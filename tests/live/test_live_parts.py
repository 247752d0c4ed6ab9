"""The parts of live editing, each on its own: the save queue, conflicts, authorship, presence,
the change feed, and the session's observable traits."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from traitlets import TraitError

from sigworkbook.live.authorship import Authorship
from sigworkbook.live.bound import RowAddress, shown_value
from sigworkbook.live.conflicts import show_latest
from sigworkbook.live.presence import PresenceBoard
from sigworkbook.live.saving import SaveQueue
from sigworkbook.live.session import SaveStatus, Session
from sigworkbook.store import Change
from sigworkbook.workspace import Workspace

SIG = "frailty-friends"


@dataclass
class FakeControl:
    """A control as live editing sees it: what it shows, and what it was told."""

    path: str
    base: Any = None
    typed: Any = None
    row: RowAddress | None = None
    in_conflict: bool = False
    has_problem: bool = False
    shown: list[Any] = field(default_factory=list)
    conflicts: list[Any] = field(default_factory=list)

    def is_dirty(self) -> bool:
        return self.typed is not None and self.typed != self.base

    def show_value(self, value: Any) -> None:
        self.base = value
        self.shown.append(value)

    def saved(self, value: Any) -> None:
        self.base = value

    def show_problem(self, message: str | None) -> None:
        pass

    def show_conflict(self, theirs: Any, change: Change | None) -> None:
        self.conflicts.append(theirs)

    def show_changed(self, change: Change | None) -> None:
        pass


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path, create=True) as opened:
        opened.new_sig("Frailty Friends", author="setup")
        yield opened


def test_the_queue_keeps_edits_and_failures_until_taken() -> None:
    flushed: list[int] = []
    queue = SaveQueue(lambda: flushed.append(1))
    queue.put("identity.theme", "Falls", None, debounce=False)
    assert flushed == [] and queue.is_pending("identity.theme")  # the caller flushes
    assert queue.take() == {"identity.theme": ("Falls", None)}
    assert not queue.has_pending
    queue.failed("identity.theme", ("Falls", None))
    assert queue.failed_paths == ["identity.theme"]
    queue.requeue_failed()
    assert queue.is_pending("identity.theme") and queue.failed_paths == []
    queue.discard("identity.theme")
    assert not queue.has_pending


def test_the_queue_waits_for_a_pause_in_typing() -> None:
    flushed: list[float] = []

    async def typing() -> None:
        loop = asyncio.get_running_loop()
        queue = SaveQueue(lambda: flushed.append(loop.time()))
        started = loop.time()
        for letter in "Falls":
            queue.put("identity.theme", letter, None, debounce=True)
            await asyncio.sleep(0.05)
        assert flushed == []  # still typing
        while not flushed:
            await asyncio.sleep(0.05)
        assert flushed[0] - started >= 0.4  # the default save delay after the last key

    asyncio.run(typing())
    assert len(flushed) == 1


def test_a_newer_plan_is_shown_but_never_over_typing() -> None:
    queue = SaveQueue(lambda: None)
    idle, busy = FakeControl("identity.theme", base="A"), FakeControl("identity.motto", base="B")
    busy.typed = "mine"
    queue.put("identity.motto", "mine", busy, debounce=False)
    document = {"identity": {"theme": "A2", "motto": "theirs"}}
    show_latest({c.path: [c] for c in (idle, busy)}, document, lambda _: None, queue)
    assert idle.shown == ["A2"]
    assert busy.shown == [] and busy.conflicts == ["theirs"]
    assert not queue.is_pending("identity.motto")  # nothing of it is saved until they choose


def test_a_row_field_is_found_by_the_rows_id_wherever_it_moved() -> None:
    control = FakeControl("schedule.activities.0.title", row=("schedule.activities", "b", "title"))
    moved = {
        "schedule": {"activities": [{"id": "a", "title": "New"}, {"id": "b", "title": "Kept"}]}
    }
    assert shown_value(moved, control) == (True, "Kept")
    gone = {"schedule": {"activities": [{"id": "a", "title": "New"}]}}
    assert shown_value(gone, control) == (False, None)


def test_authorship_follows_a_row_that_moved(workspace: Workspace) -> None:
    workspace.set(SIG, "schedule.activities", [{"title": "Walk"}], author="Ana")
    workspace.set(SIG, "schedule.activities.0.title", "Walk and talk", author="Ben")
    rows = workspace.load(SIG).plan.model_dump(mode="json")["schedule"]["activities"]
    workspace.set(SIG, "schedule.activities", [{"title": "Kick-off"}, *rows], author="Cy")
    authorship = Authorship(workspace, SIG)
    document = workspace.load(SIG).plan.model_dump(mode="json")
    moved = authorship.last_change("schedule.activities.1.title", document)
    assert moved is not None and moved.author == "Ben"
    assert authorship.last_change("schedule.activities.0.title", document) is None


def test_presence_shows_each_page_to_the_others(workspace: Workspace) -> None:
    ana = PresenceBoard(workspace, SIG, "visitor-a")
    ben = PresenceBoard(workspace, SIG, "visitor-b")
    ana.check_in("Ana", "charter")
    ben.check_in("Ben", "name")
    assert [(v.participant, v.step) for v in ana.others()] == [("Ben", "name")]
    ben.leave()
    assert ana.others() == []


def test_the_polling_feed_reports_a_revision_saved_elsewhere(workspace: Workspace) -> None:
    other = Workspace.open(workspace.root)
    seen: list[int] = []

    async def watch() -> None:
        feed = workspace.change_feed(SIG)
        feed.start(asyncio.get_running_loop(), seen.append)
        await asyncio.sleep(0.7)  # the first look only notes where the SIG is
        saved = other.set(SIG, "identity.theme", "Falls", author="Ben").revision
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        feed.stop()
        assert seen == [saved]

    try:
        asyncio.run(watch())
    finally:
        other.close()


def test_observers_hear_every_save_and_a_broken_one_stops_no_other(workspace: Workspace) -> None:
    session = Session(workspace, SIG, author="Ana")
    statuses: list[SaveStatus] = []
    revisions: list[int] = []

    def broken(_: object) -> None:
        raise RuntimeError("a part of the page that fails")

    session.on_change(broken)
    session.on_change(lambda loaded: revisions.append(loaded.revision))
    session.on_status(statuses.append)
    assert session.save("identity.theme", "Falls")
    assert session.save("identity.name", "Frailty Friends UK"), session.status.message
    assert not session.save("identity.motto", "not a field")
    assert [s.ok for s in statuses] == [True, True, False]
    assert revisions == [session.loaded.revision - 1, session.loaded.revision]


def test_the_sessions_traits_take_only_their_own_kind(workspace: Workspace) -> None:
    session = Session(workspace, SIG, author="Ana")
    with pytest.raises(TraitError):
        session.status = "Saved"  # type: ignore[assignment]
    with pytest.raises(TraitError):
        session.loaded = session.document  # type: ignore[assignment]
    session.close()


def test_a_closed_session_leaves_nothing_to_run_at_exit(workspace: Workspace) -> None:
    """Closing the session unhooks it from the exit: a page closed early is not closed again at
    exit, nor kept in memory until then."""
    session = Session(workspace, SIG, author="Ana")
    session.save("identity.theme", "Falls")
    gone = weakref.ref(session)
    session.close()
    del session
    gc.collect()
    assert gone() is None, "something still holds the closed session (the exit hook?)"
