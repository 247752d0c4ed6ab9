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
from sigworkbook.live.bound import Bound, Merging, merges
from sigworkbook.live.conflicts import show_latest
from sigworkbook.live.kernel import kernel_loop, log, log_to_server
from sigworkbook.live.merging import Merged, merge
from sigworkbook.live.presence import TYPING_FOR, PresenceBoard
from sigworkbook.live.saving import SaveQueue
from sigworkbook.plan.fields import in_words
from sigworkbook.plan.fieldtypes import new_id
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


CHOOSE = "Not saved: choose your version or theirs in the notice"
"""While a field asks its person to choose between two versions of the same words."""
SET_ASIDE = "meeting.set_aside"
"""Where versions set aside are kept, with the plan and its history."""

SAVING = "Saving…"
"""The status while typed text waits for its save: never "saved" before it is."""

UNREACHABLE_RETRY = 3.0
"""Seconds between two tries to save edits while the database cannot be reached."""
UNREACHABLE = "Not saved: database unreachable, trying again"
NAME_NEEDED = "Not saved yet: type your name at the top of the page, then it is saved"
"""A nameless visitor's edit waits for their name: nothing in the history is by nobody."""


class _Collided(Exception):
    """The same words changed differently: the merged save is abandoned, the person chooses."""


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
        self._applying = False
        """Showing a new plan in the controls: a write made meanwhile is shown at the next."""
        self._feed: ChangeFeed | None = None
        self._presence_timer: asyncio.TimerHandle | None = None
        self._typing: tuple[str, float] | None = None
        """The field this person last typed in, and when (monotonic seconds)."""
        self._retry_timer: asyncio.TimerHandle | None = None
        self.loaded = workspace.load(sig_id)
        self._seen_set_aside = {
            row.get("id") for row in get_path(self.document, SET_ASIDE, None) or []
        }
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
        if source is not None and not self.read_only:
            self._typed_in(path)
        if not self.debounce:
            self.flush()
        elif source is not None and source.in_conflict:
            self._set_status(SaveStatus(False, CHOOSE))  # nothing is saved until they choose
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
        return self._write_now(
            lambda: self.workspace.update(self.sig_id, path, change, author=self.author)
        )

    def update_votes(self, change: Callable[[list[Any], Any], tuple[list[Any], Any]]) -> bool:
        """Save `change(name ideas, voting round)` in one transaction (`Workspace.update_votes`)."""
        return self._write_now(
            lambda: self.workspace.update_votes(self.sig_id, change, author=self.author)
        )

    def _write_now(self, write: Callable[[], Loaded]) -> bool:
        """Save what waits, then `write`; report its outcome in the status."""
        self.flush()
        try:
            loaded = write()
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
            # Someone else changed the same words while this person typed: nothing is saved
            # until the person chooses in the notice.
            self._set_status(SaveStatus(False, CHOOSE))
            return False
        row = source.row if source is not None else None
        try:
            if source is not None and row is None and merges(source):
                loaded, saved = self._save_merged(path, value, source)
                if saved is None:
                    return False
                value = saved
            elif row is None:
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

    def _save_merged(self, path: str, typed: str, source: Merging) -> tuple[Loaded, str | None]:
        """Save `typed` merged, in the write transaction, with whatever others saved in the
        field since this page last had it (`source.base`). Returns the plan and the text saved,
        or None for the text when the same words were changed differently: then the field
        asks the person, and their version is set aside on the server meanwhile."""
        base = source.base or ""
        theirs_by = self.last_change(path)
        outcome: dict[str, Any] = {}

        def merged(current: Any) -> str:
            theirs = current or ""
            result = merge(base, typed or "", theirs)
            outcome.update(theirs=theirs, result=result)
            if result.collisions:
                raise _Collided
            return result.text

        try:
            loaded = self.workspace.update(self.sig_id, path, merged, author=self.author)
        except _Collided:
            self.refresh()  # shows the collision in the field (show_latest)
            if not source.in_conflict:
                self._collided(source, outcome["theirs"], outcome["result"], None)
            self._set_status(SaveStatus(False, CHOOSE))
            return self.loaded, None
        result = outcome["result"]
        if result.text != typed:  # others' words came in with the save: shown in the box
            source.show_merged(result.text, result.text, theirs_by)
        return loaded, result.text

    def _collided(
        self, control: Merging, theirs: Any, result: Merged, change: Change | None
    ) -> None:
        """The same words in `control`'s field were changed by someone else: the field asks its
        person, and what they typed is set aside on the server until they choose."""
        kept = control.set_aside_id
        control.show_collision(theirs, result, change, kept)
        if kept is None:
            control.set_aside_id = self.set_aside(
                control.path, control.value, why="typed while someone changed the same words"
            )
        self._set_status(SaveStatus(False, CHOOSE))

    # --- versions set aside -------------------------------------------------------------

    def set_aside(
        self,
        path: str,
        words: str,
        *,
        why: str,
        author: str | None = None,
        replaced_by: str = "",
    ) -> str | None:
        """Keep `words`, typed in the field at `path` and not in it, on the server with the
        plan (`meeting.set_aside`); its id, or None when it could not be kept."""
        if not (words or "").strip() or self.read_only:
            return None
        entry = {
            "id": new_id(),
            "field": path,
            "words": words,
            "author": author if author is not None else (self.author or ""),
            "why": why,
            "replaced_by": replaced_by,
        }
        try:
            loaded = self.workspace.update(
                self.sig_id, SET_ASIDE, lambda rows: [*(rows or []), entry], author=self.author
            )
        except SigworkbookError:
            log.exception("keeping a version set aside failed")
            return None
        if not self._applying:
            self._apply(loaded)
        return str(entry["id"])

    def drop_set_aside(self, entry_id: str) -> None:
        """Forget a version set aside whose words are in the field after all (the history keeps
        it anyway)."""
        with contextlib.suppress(SigworkbookError):
            self._apply(
                self.workspace.update(
                    self.sig_id,
                    SET_ASIDE,
                    lambda rows: [r for r in rows or [] if r.get("id") != entry_id],
                    author=self.author,
                )
            )

    def queue_merged(self, path: str, text: str, source: Bound) -> None:
        """Queue the merged text of a field to be saved after the pause in typing (never from
        inside the save or the refresh that merged it)."""
        self._queue.put(path, text, source, debounce=self.debounce)
        if self.debounce and not self.read_only:
            self._set_status(SaveStatus(True, SAVING))

    def bring_back(self, entry_id: str) -> bool:
        """Put a version set aside back in its field; the text it replaces is set aside in
        turn (nothing typed is lost)."""
        rows = get_path(self.document, SET_ASIDE, None) or []
        entry = next((r for r in rows if r.get("id") == entry_id), None)
        if entry is None:
            self._set_status(SaveStatus(False, "Not restored: that version is no longer kept"))
            return False
        path, words = entry["field"], entry["words"]
        current = self.value(path) or ""
        if current.strip() and current != words:
            change = self.last_change(path)
            self.set_aside(
                path,
                current,
                why="replaced when an earlier version was brought back",
                author=change.author if change and change.author else "someone",
            )
        self.discard(path)
        ok = self.save(path, words)
        if ok:
            self.drop_set_aside(entry_id)  # in the field again (the history keeps it)
        for control in self._controls.get(path, []):
            control.show_value(self.value(path))
        return ok

    def _tell_replaced(self) -> None:
        """Show this person, next to the field, each version of theirs someone else's "Keep
        mine" replaced since the page last looked (with Undo)."""
        rows = get_path(self.document, SET_ASIDE, None) or []
        fresh = [r for r in rows if r.get("id") not in self._seen_set_aside]
        self._seen_set_aside.update(r.get("id") for r in fresh)
        for entry in fresh:
            if entry.get("replaced_by") and self.author and entry.get("author") == self.author:
                for control in self._controls.get(entry.get("field", ""), []):
                    if merges(control):
                        control.show_replaced(entry)

    def set_aside_for(self, path: str) -> list[dict[str, Any]]:
        """The versions set aside from the field at `path`, oldest first."""
        rows = get_path(self.document, SET_ASIDE, None) or []
        return [dict(r) for r in rows if r.get("field") == path]

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
        """'Saved at 14:05', unless an edit of another field is still refused: then it names it;
        never while a field waits for its person to choose between two versions, or while
        typing waits for its save."""
        now = dt.datetime.now()
        if any(c.in_conflict for controls in self._controls.values() for c in controls):
            return SaveStatus(False, CHOOSE)
        if self._queue.has_pending:
            return SaveStatus(True, SAVING)
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
            self._applying = True
            try:
                self.loaded = loaded
                self._authorship.reload()
                show_latest(
                    self._controls, self.document, self.last_change, self._queue, self._collided
                )
                self._tell_replaced()
            finally:
                self._applying = False

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
        if self._typing is not None and time.monotonic() - self._typing[1] > TYPING_FOR:
            self._typing = None
        typing = self._typing[0] if self._typing is not None else None
        self._presence.check_in(self.author, self.step, typing)
        self.here = self._presence.others()
        self._show_typing()

    def _typed_in(self, path: str) -> None:
        """This person typed in `path`: other pages say so (at once when it is news)."""
        news = self._typing is None or self._typing[0] != path
        self._typing = (path, time.monotonic())
        if news and kernel_loop() is not None:
            self.check_in()

    def _show_typing(self) -> None:
        """'Dev is typing…' under each field someone else is typing in."""
        for path, controls in self._controls.items():
            names = list(
                dict.fromkeys(v.participant or "Someone" for v in self.here if v.typing == path)
            )
            for control in controls:
                show = getattr(control, "show_typing", None)
                if show is not None:
                    show(names)

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
