"""Saving a page's edits: each on its own, text merged with others' words, failures kept."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.bound import Bound, Merging, merges
from sigworkbook.live.kernel import kernel_loop
from sigworkbook.live.merging import Merged, merge
from sigworkbook.live.saving import SaveQueue
from sigworkbook.live.status import CHOOSE, NAME_NEEDED, UNREACHABLE, Refusals, SaveStatus
from sigworkbook.plan.validation import PlanError
from sigworkbook.store import Change, StoreError, StoreUnreachable
from sigworkbook.workspace import Loaded

if TYPE_CHECKING:
    from sigworkbook.live.session import Session

UNREACHABLE_RETRY = 3.0
"""Seconds between two tries to save edits while the database cannot be reached."""


class _Collided(Exception):
    """The same words changed differently: the merged save is abandoned, the person chooses."""


class Writer:
    """Writes a page's queued edits to the workspace and says how it went, in the status and
    next to each control; edits that failed for a reason other than their value are kept and
    tried again (in a kernel, on their own while the database cannot be reached)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.queue = SaveQueue(self.flush)
        self.refused = Refusals()
        self._retry_timer: asyncio.TimerHandle | None = None

    def flush(self) -> bool:
        """Save every pending edit now, each on its own; True when all were accepted.

        Edits to a field someone else changed meanwhile are not saved: the field shows
        both versions and the person chooses.
        """
        session = self._session
        if not self.queue.has_pending:
            self.queue.cancel_timer()
            return True
        if session.needs_name:  # kept, and saved once the person says who they are
            self.queue.cancel_timer()
            session.status = SaveStatus(False, NAME_NEEDED)
            return False
        with contextlib.suppress(StoreError):  # the save that follows reports the problem
            session.refresh()  # others' saves first
        all_ok = True
        for path, (value, source) in self.queue.take().items():
            all_ok = self._save_one(path, value, source) and all_ok
        return all_ok

    def retry(self) -> bool:
        """Try the edits that failed to save again."""
        self.queue.requeue_failed()
        return self.flush()

    def write_now(self, write: Callable[[], Loaded]) -> bool:
        """Save what waits, then `write`; report its outcome in the status."""
        session = self._session
        self.flush()
        try:
            loaded = write()
        except PlanError as error:
            session.status = SaveStatus(False, f"Not saved: {error.problems[0]}")
            return False
        except SigworkbookError as error:
            session.status = SaveStatus(False, f"Not saved: {error}")
            return False
        session.saved(loaded)
        return True

    def _save_one(self, path: str, value: Any, source: Bound | None) -> bool:
        session = self._session
        if source is not None and source.in_conflict:
            # Someone else changed the same words while this person typed: nothing is saved
            # until the person chooses in the notice.
            session.status = SaveStatus(False, CHOOSE)
            return False
        row = source.row if source is not None else None
        try:
            if source is not None and row is None and merges(source):
                loaded, saved = self.save_merged(path, value, source)
                if saved is None:
                    return False
                value = saved
            elif row is None:
                loaded = session.workspace.set(session.sig_id, path, value, author=session.author)
            else:
                list_path, row_id, column = row
                loaded = session.workspace.set_in_row(
                    session.sig_id, list_path, row_id, column, value, author=session.author
                )
        except PlanError as error:
            problems = error.for_path(path) or error.problems
            self._report(path, source, "; ".join(p.message for p in problems))
            self.refused.add(path, source)
            session.status = SaveStatus(False, f"Not saved: {problems[0]}")
            return False
        except StoreUnreachable:
            self.queue.failed(path, (value, source))  # kept, and saved when the database is back
            self._report(path, source, "not saved yet: the database cannot be reached")
            session.status = SaveStatus(False, UNREACHABLE, retry=True)
            self._retry_later()
            return False
        except SigworkbookError as error:
            self.queue.failed(path, (value, source))
            self._report(path, source, f"not saved yet: {error}")
            session.status = SaveStatus(False, f"Not saved: {error}", retry=True)
            return False
        self._report(path, source, None)
        self.refused.drop(path)
        if source is not None:
            source.saved(value)
        session.saved(loaded)
        return True

    def save_merged(self, path: str, typed: str, source: Merging) -> tuple[Loaded, str | None]:
        """Save `typed` merged, in the write transaction, with whatever others saved in the
        field since this page last had it (`source.base`). Returns the plan and the text saved,
        or None for the text when the same words were changed differently: then the field
        asks the person, and their version is set aside on the server meanwhile."""
        session = self._session
        base = source.base or ""
        theirs_by = session.last_change(path)
        outcome: dict[str, Any] = {}

        def merged(current: Any) -> str:
            theirs = current or ""
            result = merge(base, typed or "", theirs)
            outcome.update(theirs=theirs, result=result)
            if result.collisions:
                raise _Collided
            return result.text

        try:
            loaded = session.workspace.update(session.sig_id, path, merged, author=session.author)
        except _Collided:
            session.refresh()  # shows the collision in the field (show_latest)
            if not source.in_conflict:
                self.collided(source, outcome["theirs"], outcome["result"], None)
            session.status = SaveStatus(False, CHOOSE)
            return session.loaded, None
        result = outcome["result"]
        if result.text != typed:  # others' words came in with the save: shown in the box
            source.show_merged(result.text, result.text, theirs_by)
        return loaded, result.text

    def collided(
        self, control: Merging, theirs: Any, result: Merged, change: Change | None
    ) -> None:
        """The same words in `control`'s field were changed by someone else: the field asks its
        person, and what they typed is set aside on the server until they choose."""
        session = self._session
        kept = control.set_aside_id
        control.show_collision(theirs, result, change, kept)
        if kept is None:
            control.set_aside_id = session.set_aside(
                control.path, control.value, why="typed while someone changed the same words"
            )
        session.status = SaveStatus(False, CHOOSE)

    def _report(self, path: str, source: Bound | None, message: str | None) -> None:
        targets = [source] if source is not None else self._session.controls.get(path, [])
        for control in targets:
            control.show_problem(message)

    def _retry_later(self) -> None:
        """In a kernel, try the failed edits again after UNREACHABLE_RETRY seconds."""
        loop = kernel_loop()
        if loop is None or self._retry_timer is not None:
            return

        def again() -> None:
            self._retry_timer = None
            if self.queue.failed_paths:
                self.retry()

        self._retry_timer = loop.call_later(UNREACHABLE_RETRY, again)

    def stop(self) -> None:
        """Save what is pending, and try nothing again later."""
        self.flush()
        if self._retry_timer is not None:
            self._retry_timer.cancel()
            self._retry_timer = None
