"""A page's working session on one SIG: the parts of live editing put together for the controls."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from traitlets import Any as AnyTrait
from traitlets import Bunch, HasTraits, List

from sigworkbook import settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.live.authorship import Authorship
from sigworkbook.live.bound import Bound
from sigworkbook.live.conflicts import show_latest
from sigworkbook.live.kernel import kernel_loop, log, log_to_server
from sigworkbook.live.presence import PresenceBoard
from sigworkbook.live.saving import SaveQueue
from sigworkbook.plan.fields import in_words
from sigworkbook.plan.paths import get_path
from sigworkbook.plan.validation import PlanError
from sigworkbook.store import Change, ChangeFeed, StoreError, StoreUnreachable, Visitor
from sigworkbook.workspace import Loaded, Workspace


@dataclass(eq=False)
class SaveStatus:
    """The outcome of the last save, for the page's status line (each one is news: no two are
    equal, so observers hear every save, even one with the same words as the last)."""

    ok: bool
    message: str
    at: dt.datetime | None = None
    retry: bool = False


SAVING = "Saving…"
"""The status while typed text waits for its save: never "saved" before it is."""

UNREACHABLE_RETRY = 3.0
"""Seconds between two tries to save edits while the database cannot be reached."""
UNREACHABLE = "Not saved: database unreachable, trying again"
NAME_NEEDED = "Not saved yet: type your name at the top of the page, then it is saved"
"""A nameless visitor's edit waits for their name: nothing in the history is by nobody."""


class Session(HasTraits):
    """One visitor's view of one SIG: loads it, saves edits and tells controls what changed.

    Observe `loaded` (the plan, after this page's or anyone's edit), `status` (the last save)
    and `here` (who else has the SIG open) as with any traitlets object; `on_change`,
    `on_status` and `on_presence` do that for a callback that takes the new value alone.
    """

    loaded = AnyTrait(help="The plan as last read (a Loaded), with its revision.")
    status = AnyTrait(help="The outcome of the last save (a SaveStatus).")
    here: List[Visitor] = List(help="Everyone else with this SIG open (Visitors), as last checked.")

    def __init__(
        self, workspace: Workspace, sig_id: str, author: str | None = None, step: str = "start"
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.sig_id = sig_id
        self.author = author
        self.step = step
        self.visitor = secrets.token_hex(8)
        self.typed_at = float("-inf")
        """When this page's person last typed (time.monotonic()): the lead's moves wait."""
        self.debounce = kernel_loop() is not None
        """Wait for a pause in typing before saving (inside a kernel); else save at once."""
        self._queue = SaveQueue(self.flush)
        self._authorship = Authorship(workspace, sig_id)
        self._presence = PresenceBoard(workspace, sig_id, self.visitor)
        self._controls: dict[str, list[Bound]] = {}
        self._mine: list[int] = []
        self._undone: set[int] = set()
        """Revisions that Undo put back, and Undo's own: a second Undo goes further back."""
        self._refused: dict[str, Bound | None] = {}
        """Edits refused for their value, until that field saves or is discarded."""
        self._document: tuple[Loaded, dict[str, Any]] | None = None
        self._feed: ChangeFeed | None = None
        self._presence_timer: asyncio.TimerHandle | None = None
        self._retry_timer: asyncio.TimerHandle | None = None
        self.loaded = workspace.load(sig_id)
        self.may_edit = workspace.can_edit(sig_id)
        """Whether this page's user may change the SIG (a viewer or the network team may not)."""
        self.status = (
            SaveStatus(False, "This workspace is read-only: you can read, but nothing is saved.")
            if workspace.read_only
            else SaveStatus(False, "You can read this SIG, but not change it.")
            if not self.may_edit
            else SaveStatus(True, "All changes saved")
        )
        atexit.register(self.close)

    @property
    def read_only(self) -> bool:
        """Whether nothing can be saved from this page: a read-only workspace, or a user who
        may only read this SIG."""
        return self.workspace.read_only or not self.may_edit

    @property
    def needs_name(self) -> bool:
        """Whether this page's person must give a name before an edit of theirs is saved."""
        return not (self.author or "").strip() and not self.read_only

    def set_author(self, name: str) -> bool:
        """This page's person gave their name: save what waited for it, as theirs."""
        self.author = " ".join(name.split())
        self.check_in()
        ok = self.flush()
        if ok and self.status.message == NAME_NEEDED:
            self._set_status(SaveStatus(True, "All changes saved"))
        return ok

    @property
    def authorship(self) -> Authorship:
        """Who changed what last, with table rows followed by id."""
        return self._authorship

    # --- reading ------------------------------------------------------------------------

    @property
    def document(self) -> dict[str, Any]:
        """The loaded plan as JSON data, dumped once per load; read it, never change it."""
        if self._document is None or self._document[0] is not self.loaded:
            self._document = (self.loaded, self.loaded.plan.model_dump(mode="json"))
        return self._document[1]

    def value(self, path: str) -> Any:
        """The plan's value at `path` (a copy, when it is a list or a map)."""
        found = get_path(self.document, path)
        return copy.deepcopy(found) if isinstance(found, list | dict) else found

    def last_change(self, path: str) -> Change | None:
        """The latest change that touched `path` (see `Authorship.last_change`)."""
        return self._authorship.last_change(path, self.document)

    # --- controls and observers ---------------------------------------------------------

    def register(self, control: Bound) -> None:
        self._controls.setdefault(control.path, []).append(control)
        control.show_changed(self.last_change(control.path))

    def unregister(self, control: Bound) -> None:
        controls = self._controls.get(control.path, [])
        if control in controls:
            controls.remove(control)

    def on_change(self, listener: Callable[[Loaded], None]) -> None:
        """Call `listener` whenever the plan changes, by this page or anyone else."""
        self._observe_value(listener, "loaded")

    def on_status(self, listener: Callable[[SaveStatus], None]) -> None:
        """Call `listener` with each new save status."""
        self._observe_value(listener, "status")

    def on_presence(self, listener: Callable[[list[Visitor]], None]) -> None:
        """Call `listener` with the other visitors whenever they change."""
        self._observe_value(listener, "here")

    def _observe_value(self, listener: Callable[[Any], None], name: str) -> None:
        def call(change: Bunch) -> None:
            try:
                listener(change.new)
            except Exception:  # one broken part of the page must not leave the rest stale
                log.exception("a part of the page failed to show the latest %s", name)

        self.observe(call, names=name)

    def _set_status(self, status: SaveStatus) -> None:
        self.status = status

    # --- saving -------------------------------------------------------------------------

    def edit(self, path: str, value: Any, source: Bound | None = None) -> None:
        """Record an edit; it is saved after a short pause in typing (at once outside a kernel)."""
        self.typed_at = time.monotonic()
        self._queue.put(path, value, source, debounce=self.debounce)
        if not self.debounce:
            self.flush()
        elif self.status.message != SAVING and not self.read_only:
            self._set_status(SaveStatus(True, SAVING))

    def save(self, path: str, value: Any, source: Bound | None = None) -> bool:
        """Save one edit now; True when it was accepted."""
        self._queue.put(path, value, source, debounce=False)
        return self.flush()

    def update(self, path: str, change: Callable[[Any], Any]) -> bool:
        """Save `change(current value)` at `path`, reading and writing in one transaction."""
        if self.needs_name:
            self._set_status(SaveStatus(False, NAME_NEEDED))
            return False
        self.flush()
        try:
            loaded = self.workspace.update(self.sig_id, path, change, author=self.author)
        except PlanError as error:
            self._set_status(SaveStatus(False, f"Not saved: {error.problems[0]}"))
            return False
        except SigworkbookError as error:
            self._set_status(SaveStatus(False, f"Not saved: {error}"))
            return False
        self._saved(loaded)
        return True

    def update_votes(self, change: Callable[[list[Any], Any], tuple[list[Any], Any]]) -> bool:
        """Save `change(name ideas, voting round)` in one transaction (`Workspace.update_votes`)."""
        self.flush()
        try:
            loaded = self.workspace.update_votes(self.sig_id, change, author=self.author)
        except PlanError as error:
            self._set_status(SaveStatus(False, f"Not saved: {error.problems[0]}"))
            return False
        except SigworkbookError as error:
            self._set_status(SaveStatus(False, f"Not saved: {error}"))
            return False
        self._saved(loaded)
        return True

    def discard(self, path: str) -> None:
        """Forget an edit of `path` that is waiting to be saved (the person chose another value)."""
        self._queue.discard(path)
        self._refused.pop(path, None)

    @property
    def has_pending(self) -> bool:
        return self._queue.has_pending

    @property
    def failed_paths(self) -> list[str]:
        """Edits that could not be saved for a reason other than the value (busy, read-only)."""
        return self._queue.failed_paths

    def flush(self) -> bool:
        """Save every pending edit now, each on its own; True when all were accepted.

        Edits to a field someone else changed meanwhile are not saved: the field shows
        both versions and the person chooses.
        """
        if not self._queue.has_pending:
            self._queue.cancel_timer()
            return True
        if self.needs_name:  # kept, and saved once the person says who they are
            self._queue.cancel_timer()
            self._set_status(SaveStatus(False, NAME_NEEDED))
            return False
        self._check_for_others()
        all_ok = True
        for path, (value, source) in self._queue.take().items():
            all_ok = self._save_one(path, value, source) and all_ok
        return all_ok

    def retry(self) -> bool:
        """Try the edits that failed to save again."""
        self._queue.requeue_failed()
        return self.flush()

    def _save_one(self, path: str, value: Any, source: Bound | None) -> bool:
        if source is not None and source.in_conflict:
            # Someone else changed this field while it was being typed in: nothing is saved
            # until the person picks their version or the other one in the notice.
            self._set_status(
                SaveStatus(False, "Not saved: choose your version or theirs in the notice")
            )
            return False
        row = source.row if source is not None else None
        try:
            if row is None:
                loaded = self.workspace.set(self.sig_id, path, value, author=self.author)
            else:
                list_path, row_id, column = row
                loaded = self.workspace.set_in_row(
                    self.sig_id, list_path, row_id, column, value, author=self.author
                )
        except PlanError as error:
            problems = error.for_path(path) or error.problems
            self._report(path, source, "; ".join(p.message for p in problems))
            self._refused[path] = source
            self._set_status(SaveStatus(False, f"Not saved: {problems[0]}"))
            return False
        except StoreUnreachable:
            self._queue.failed(path, (value, source))  # kept, and saved when the database is back
            self._report(path, source, "not saved yet: the database cannot be reached")
            self._set_status(SaveStatus(False, UNREACHABLE, retry=True))
            self._retry_later()
            return False
        except SigworkbookError as error:
            self._queue.failed(path, (value, source))
            self._report(path, source, f"not saved yet: {error}")
            self._set_status(SaveStatus(False, f"Not saved: {error}", retry=True))
            return False
        self._report(path, source, None)
        self._refused.pop(path, None)
        if source is not None:
            source.saved(value)
        self._saved(loaded)
        return True

    def _retry_later(self) -> None:
        """In a kernel, try the failed edits again after UNREACHABLE_RETRY seconds."""
        loop = kernel_loop()
        if loop is None or self._retry_timer is not None:
            return

        def again() -> None:
            self._retry_timer = None
            if self._queue.failed_paths:
                self.retry()

        self._retry_timer = loop.call_later(UNREACHABLE_RETRY, again)

    def _saved(self, loaded: Loaded) -> None:
        if loaded.changed:
            self._mine.append(loaded.revision)
        self._apply(loaded)
        self._set_status(self._saved_status())

    def _saved_status(self) -> SaveStatus:
        """'Saved at 14:05', unless an edit of another field is still refused: then it names it."""
        now = dt.datetime.now()
        self._refused = {
            path: control
            for path, control in self._refused.items()
            if control is None or control.has_problem
        }
        if not self._refused:
            return SaveStatus(True, f"Saved at {now:%H:%M}", now)
        names = ", ".join(dict.fromkeys(in_words(path, self.document) for path in self._refused))
        return SaveStatus(
            False, f"Saved at {now:%H:%M}, except {names}: see the message under it", now
        )

    def _report(self, path: str, source: Bound | None, message: str | None) -> None:
        targets = [source] if source is not None else self._controls.get(path, [])
        for control in targets:
            control.show_problem(message)

    # --- other people's edits -----------------------------------------------------------

    def _check_for_others(self) -> None:
        with contextlib.suppress(StoreError):  # the save that follows reports the problem
            self.refresh()

    def _apply(self, loaded: Loaded) -> None:
        """Show `loaded` in the controls, then tell the observers of `loaded`."""
        if loaded.revision == self.loaded.revision:
            return
        with self.hold_trait_notifications():
            self.loaded = loaded
            self._authorship.reload()
            show_latest(self._controls, self.document, self.last_change, self._queue)

    def refresh(self) -> bool:
        """Reload the plan if anyone saved since we last looked; True when it had changed."""
        if self.workspace.revision(self.sig_id) == self.loaded.revision:
            return False
        self._apply(self.workspace.load(self.sig_id))
        return True

    def start_live_updates(self) -> None:
        """Inside a kernel, show other people's edits as the store's change feed reports them,
        and check in every few seconds."""
        loop = kernel_loop()
        if loop is None or self._feed is not None:
            return
        log_to_server()

        def new_revision(latest: int) -> None:
            if latest == self.loaded.revision:
                return
            try:
                self.refresh()
            except StoreError:
                pass  # shown when the person next saves; the feed goes on
            except Exception:  # a page that stops refreshing is silently stale
                log.exception("showing others' edits failed")

        every = settings.PRESENCE_INTERVAL.read()

        def presence_tick() -> None:
            try:
                self.check_in()
            except Exception:
                log.exception("updating who else is here failed")
            self._presence_timer = loop.call_later(every, presence_tick)

        self._feed = self.workspace.change_feed(self.sig_id)
        self._feed.start(loop, new_revision)
        self.check_in()
        self._presence_timer = loop.call_later(every, presence_tick)

    # --- presence -----------------------------------------------------------------------

    def check_in(self) -> None:
        """Record that this page is open and read who else is here (best effort)."""
        self._presence.check_in(self.author, self.step)
        self.here = self._presence.others()

    def others(self) -> list[Visitor]:
        """Everyone else with a page of this SIG open, read now."""
        return self._presence.others()

    # --- undo and restore ---------------------------------------------------------------

    def undo(self) -> Change | None:
        """Undo this person's last edit not undone yet (restore its field to the revision
        before); None if there is none. Each Undo goes one edit further back."""
        self.flush()
        mine = set(self._mine)
        candidates = [
            c
            for c in self.workspace.history(self.sig_id)
            if (c.revision in mine or (self.author is not None and c.author == self.author))
            and c.revision not in self._undone
        ]
        if not candidates:
            return None
        last = candidates[0]
        before = self.workspace.revision(self.sig_id)
        self.restore(last.revision - 1, path=last.path or None)
        self._undone.update({last.revision, *range(before + 1, self.loaded.revision + 1)})
        return last

    def restore(self, revision: int, *, path: str | None = None) -> None:
        """Restore the plan, or one field, to how it was at `revision` (a new revision)."""
        if self.needs_name:
            self._set_status(SaveStatus(False, NAME_NEEDED))
            return
        loaded = self.workspace.restore(self.sig_id, revision, path=path, author=self.author)
        for controls in self._controls.values():
            for control in controls:
                control.show_problem(None)
        self._apply(loaded)
        what = "the plan" if not path else in_words(path, self.document)
        if not loaded.changed:
            self._set_status(
                SaveStatus(True, f"Nothing to restore: {what} is already as it was then")
            )
            return
        self._mine.append(loaded.revision)
        self._set_status(SaveStatus(True, f"Restored {what}"))

    def close(self) -> None:
        """Save what is pending and say goodbye (called when the kernel exits)."""
        self.flush()
        if self._feed is not None:
            self._feed.stop()
        if self._presence_timer is not None:
            self._presence_timer.cancel()
        if self._retry_timer is not None:
            self._retry_timer.cancel()
        self._presence.leave()
