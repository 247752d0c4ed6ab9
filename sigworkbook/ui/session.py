"""A page's working session: which SIG, who is typing, debounced saving, and others' edits."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import datetime as dt
import logging
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sigworkbook.plan.fields import in_words
from sigworkbook.plan.paths import Parts, PathError, format_path, get_path, parse_path, split_row
from sigworkbook.plan.validation import PlanError
from sigworkbook.store import Change, ChangeFeed, Presence, StoreError, Visitor
from sigworkbook.workspace import Loaded, Workspace, WorkspaceError

_log = logging.getLogger(__name__)


def _log_to_server() -> None:
    """Send this module's log records to the kernel process's own stderr, which the server
    log collects; the default would print them into the page the visitor sees."""
    if not _log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[sigworkbook %(levelname)s] %(message)s"))
        _log.addHandler(handler)
        _log.propagate = False


def log_failure(what: str) -> None:
    """Log the exception being handled, as `what` failed, to the server log (never the page)."""
    _log_to_server()
    _log.exception(what)


SAVE_DELAY = 0.4
"""Seconds of quiet typing after which a field is saved."""

PRESENCE_INTERVAL = 2.0
"""Seconds between two presence check-ins (a newcomer shows within about 3 s)."""


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the Jupyter kernel this code runs in, or None outside a kernel.

    Outside a kernel (tests, scripts) edits save at once and nothing is scheduled, even if some
    other library (a browser driver, say) happens to run an event loop in this thread.
    """
    from IPython import get_ipython

    if getattr(get_ipython(), "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Bound(Protocol):
    """What a session needs from a control bound to one plan field."""

    path: str

    def is_dirty(self) -> bool: ...
    def show_value(self, value: Any) -> None: ...
    def saved(self, value: Any) -> None: ...
    def show_problem(self, message: str | None) -> None: ...
    def show_conflict(self, theirs: Any, change: Change | None) -> None: ...
    def show_changed(self, change: Change | None) -> None: ...


@dataclass
class SaveStatus:
    """The outcome of the last save, for the page's status line."""

    ok: bool
    message: str
    at: dt.datetime | None = None
    retry: bool = False


Listener = Callable[[Loaded], None]
Pending = tuple[Any, "Bound | None"]


def _current_value(document: dict[str, Any], path: str, control: Bound) -> tuple[bool, Any]:
    """(found, value) of what `control` shows, looking a table row up by its id."""
    row = getattr(control, "row", None)
    if row is not None:
        list_path, row_id, column = row
        rows = get_path(document, list_path, None) or []
        matches = [r for r in rows if isinstance(r, dict) and r.get("id") == row_id]
        if not matches:
            return False, None
        return True, get_path(matches[0], column, None)
    try:
        return True, get_path(document, path)
    except (PathError, KeyError, IndexError):
        return True, None


@dataclass
class Session:
    """One visitor's view of one SIG: loads it, saves edits and tells controls what changed."""

    workspace: Workspace
    sig_id: str
    author: str | None = None
    step: str = "start"
    loaded: Loaded = field(init=False)
    status: SaveStatus = field(init=False)
    visitor: str = field(default_factory=lambda: secrets.token_hex(8), init=False)
    _pending: dict[str, Pending] = field(default_factory=dict, init=False)
    _failed: dict[str, Pending] = field(default_factory=dict, init=False)
    _mine: list[int] = field(default_factory=list, init=False)
    _controls: dict[str, list[Bound]] = field(default_factory=dict, init=False)
    _listeners: list[Listener] = field(default_factory=list, init=False)
    _status_listeners: list[Callable[[SaveStatus], None]] = field(default_factory=list, init=False)
    _timer: asyncio.TimerHandle | None = field(default=None, init=False)
    _feed: ChangeFeed | None = field(default=None, init=False)
    _presence_timer: asyncio.TimerHandle | None = field(default=None, init=False)
    _presence: Presence | None = field(default=None, init=False)
    _document: tuple[Loaded, dict[str, Any]] | None = field(default=None, init=False)
    _last_changes: dict[str, Change] = field(default_factory=dict, init=False)
    _changed_paths: list[tuple[Parts, Change]] = field(default_factory=list, init=False)
    _row_ids: dict[tuple[str, int], list[str | None] | None] = field(
        default_factory=dict, init=False
    )
    debounce: bool = field(default_factory=lambda: kernel_loop() is not None, init=False)
    """Wait for a pause in typing before saving (inside a kernel); else save every edit at once."""
    _presence_listeners: list[Callable[[list[Visitor]], None]] = field(
        default_factory=list, init=False
    )

    def __post_init__(self) -> None:
        self.loaded = self.workspace.load(self.sig_id)
        self._set_last_changes(self.workspace.last_changes(self.sig_id))
        self.status = (
            SaveStatus(False, "This workspace is read-only: you can read, but nothing is saved.")
            if self.read_only
            else SaveStatus(True, "All changes saved")
        )
        atexit.register(self.close)

    @property
    def read_only(self) -> bool:
        return self.workspace.read_only

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
        """The latest change that touched `path`: to it, or to anything containing it.

        None when that was a whole-plan change (creation, import, restore of the plan): it says
        nothing about this field in particular. A change to a whole table (adding, removing or
        moving rows) is not a change to the fields of its rows. A change to a row's field
        belongs to the row (by id) that was there then, wherever that row is now.
        """
        parts = parse_path(path)
        in_row = split_row(parts)
        # The table itself is left out: adding a row is no change to its rows' fields.
        upto = len(parts) + 1 if in_row is None else len(in_row[0])
        containers = [self._last_changes.get(format_path(parts[:n])) for n in range(upto)]
        latest = max((c for c in containers if c), key=lambda c: c.revision, default=None)
        if in_row is not None:
            table, index, inner = in_row
            row_id = self._row_id_now(format_path(table), index)
            for row, change in self._row_changes(table, inner):
                if latest is not None and change.revision <= latest.revision:
                    break
                if row_id is not None and self._row_id_then(table, row, change) == row_id:
                    latest = change
                    break
        return latest if latest is not None and latest.path else None

    def _row_changes(self, table: Parts, inner: Parts) -> list[tuple[int, Change]]:
        """Changes to a row of `table` at `inner` in it, or inside or around that; newest first."""
        found = []
        for parts, change in self._changed_paths:
            if len(parts) <= len(table) or parts[: len(table)] != table:
                continue
            row, within = parts[len(table)], parts[len(table) + 1 :]
            shorter = min(len(within), len(inner))
            if isinstance(row, int) and within[:shorter] == inner[:shorter]:
                found.append((row, change))
        return sorted(found, key=lambda item: item[1].revision, reverse=True)

    def _row_id_then(self, table: Parts, index: int, change: Change) -> str | None:
        """The id of the row at `index` of `table` when `change` was made (None if unknown)."""
        key = (format_path(table), change.revision)
        if key not in self._row_ids:  # history never changes: no need to forget these
            self._row_ids[key] = self.workspace.row_ids_at(self.sig_id, *key)
        ids = self._row_ids[key]
        return ids[index] if ids is not None and index < len(ids) else None

    def _set_last_changes(self, changes: dict[str, Change]) -> None:
        self._last_changes = changes
        self._changed_paths = [(parse_path(path), change) for path, change in changes.items()]

    def _row_id_now(self, table: str, index: int) -> str | None:
        rows = get_path(self.document, table, None)
        if not isinstance(rows, list) or index >= len(rows) or not isinstance(rows[index], dict):
            return None
        row_id = rows[index].get("id")
        return row_id if isinstance(row_id, str) else None

    # --- controls and listeners ---------------------------------------------------------

    def register(self, control: Bound) -> None:
        self._controls.setdefault(control.path, []).append(control)
        control.show_changed(self.last_change(control.path))

    def unregister(self, control: Bound) -> None:
        controls = self._controls.get(control.path, [])
        if control in controls:
            controls.remove(control)

    def on_change(self, listener: Listener) -> None:
        """Call `listener` whenever the plan changes, by this page or anyone else."""
        self._listeners.append(listener)

    def on_status(self, listener: Callable[[SaveStatus], None]) -> None:
        self._status_listeners.append(listener)

    def _set_status(self, status: SaveStatus) -> None:
        self.status = status
        for listener in self._status_listeners:
            listener(status)

    # --- saving -------------------------------------------------------------------------

    def edit(self, path: str, value: Any, source: Bound | None = None) -> None:
        """Record an edit; it is saved after a short pause in typing (at once outside a kernel)."""
        self._pending[path] = (value, source)
        loop = asyncio.get_running_loop() if self.debounce else None
        if loop is None:
            self.flush()
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(SAVE_DELAY, self.flush)

    def save(self, path: str, value: Any, source: Bound | None = None) -> bool:
        """Save one edit now; True when it was accepted."""
        self._pending[path] = (value, source)
        return self.flush()

    def update(self, path: str, change: Callable[[Any], Any]) -> bool:
        """Save `change(current value)` at `path`, reading and writing in one transaction."""
        self.flush()
        try:
            loaded = self.workspace.update(self.sig_id, path, change, author=self.author)
        except PlanError as error:
            self._set_status(SaveStatus(False, f"Not saved: {error.problems[0]}"))
            return False
        except (StoreError, WorkspaceError) as error:
            self._set_status(SaveStatus(False, f"Not saved: {error}"))
            return False
        if loaded.changed:
            self._mine.append(loaded.revision)
        self._apply(loaded)
        now = dt.datetime.now()
        self._set_status(SaveStatus(True, f"Saved at {now:%H:%M}", now))
        return True

    def discard(self, path: str) -> None:
        """Forget an edit of `path` that is waiting to be saved (the person chose another value)."""
        self._pending.pop(path, None)
        self._failed.pop(path, None)

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    @property
    def failed_paths(self) -> list[str]:
        """Edits that could not be saved for a reason other than the value (busy, read-only)."""
        return list(self._failed)

    def flush(self) -> bool:
        """Save every pending edit now, each on its own; True when all were accepted.

        Edits to a field someone else changed meanwhile are not saved: the field shows
        both versions and the person chooses.
        """
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return True
        self._check_for_others()
        pending, self._pending = self._pending, {}
        all_ok = True
        for path, (value, source) in pending.items():
            all_ok = self._save_one(path, value, source) and all_ok
        return all_ok

    def retry(self) -> bool:
        """Try the edits that failed to save again."""
        self._pending.update(self._failed)
        self._failed.clear()
        return self.flush()

    def _save_one(self, path: str, value: Any, source: Bound | None) -> bool:
        if getattr(source, "in_conflict", False):
            # Someone else changed this field while it was being typed in: nothing is saved
            # until the person picks their version or the other one in the notice.
            self._set_status(
                SaveStatus(False, "Not saved: choose your version or theirs in the notice")
            )
            return False
        row = getattr(source, "row", None)
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
            message = "; ".join(p.message for p in problems)
            self._report(path, source, message)
            self._set_status(SaveStatus(False, f"Not saved: {problems[0]}"))
            return False
        except (StoreError, WorkspaceError) as error:
            self._failed[path] = (value, source)
            self._report(path, source, f"not saved yet: {error}")
            self._set_status(SaveStatus(False, f"Not saved: {error}", retry=True))
            return False
        self._report(path, source, None)
        if source is not None:
            source.saved(value)
        if loaded.changed:
            self._mine.append(loaded.revision)
        self._apply(loaded)
        now = dt.datetime.now()
        self._set_status(SaveStatus(True, f"Saved at {now:%H:%M}", now))
        return True

    def _report(self, path: str, source: Bound | None, message: str | None) -> None:
        targets = [source] if source is not None else self._controls.get(path, [])
        for control in targets:
            control.show_problem(message)

    # --- other people's edits -----------------------------------------------------------

    def _check_for_others(self) -> None:
        with contextlib.suppress(StoreError):  # the save that follows reports the problem
            self.refresh()

    def _apply(self, loaded: Loaded) -> None:
        if loaded.revision == self.loaded.revision:
            self.loaded = loaded
            return
        self.loaded = loaded
        self._set_last_changes(self.workspace.last_changes(self.sig_id))
        document = self.document
        for path, controls in list(self._controls.items()):
            change = self.last_change(path)
            for control in controls:
                found, value = _current_value(document, path, control)
                if not found:
                    continue  # its row is gone: a save reports that; the table redraws
                control.show_changed(change)
                if path in self._pending or control.is_dirty():
                    if value != control_base(control):
                        self._pending.pop(path, None)
                        control.show_conflict(value, change)
                    continue
                if value != control_base(control):
                    control.show_value(value)
        for listener in list(self._listeners):
            try:
                listener(loaded)
            except Exception:  # one broken part of the page must not leave the rest stale
                _log.exception("a part of the page failed to show the latest plan")

    def refresh(self) -> bool:
        """Reload the plan if anyone saved since we last looked; True when it had changed."""
        if self.workspace.revision(self.sig_id) == self.loaded.revision:
            return False
        self._apply(self.workspace.load(self.sig_id))
        return True

    def start_live_updates(self) -> None:
        """Inside a kernel, show other people's edits as the store's change feed reports them,
        and check in every PRESENCE_INTERVAL seconds."""
        loop = kernel_loop()
        if loop is None or self._feed is not None:
            return
        _log_to_server()

        def new_revision(latest: int) -> None:
            if latest == self.loaded.revision:
                return
            try:
                self.refresh()
            except StoreError:
                pass  # shown when the person next saves; the feed goes on
            except Exception:  # a page that stops refreshing is silently stale
                _log.exception("showing others' edits failed")

        def presence_tick() -> None:
            try:
                self.check_in()
                self._tell_presence()
            except Exception:
                _log.exception("updating who else is here failed")
            self._presence_timer = loop.call_later(PRESENCE_INTERVAL, presence_tick)

        self._feed = self.workspace.change_feed(self.sig_id)
        self._feed.start(loop, new_revision)
        self.check_in()
        self._tell_presence()
        self._presence_timer = loop.call_later(PRESENCE_INTERVAL, presence_tick)

    # --- presence -----------------------------------------------------------------------

    def check_in(self) -> None:
        """Record that this page is open (best effort: presence never stops the page)."""
        try:
            if self._presence is None:
                self._presence = self.workspace.presence()
            self._presence.mark(self.sig_id, self.visitor, self.author, self.step)
        except (
            StoreError,
            OSError,
        ):  # presence is a courtesy: a read-only disk must not break the page
            self._presence = None

    def on_presence(self, listener: Callable[[list[Visitor]], None]) -> None:
        """Call `listener` with the other visitors each time this page checks in."""
        self._presence_listeners.append(listener)

    def _tell_presence(self) -> None:
        others = self.others()
        for listener in self._presence_listeners:
            listener(others)

    def others(self) -> list[Visitor]:
        """Everyone else with a page of this SIG open."""
        try:
            if self._presence is None:
                self._presence = self.workspace.presence()
            return self._presence.others(self.sig_id, self.visitor)
        except (StoreError, OSError):
            return []

    # --- undo and restore ---------------------------------------------------------------

    def undo(self) -> Change | None:
        """Undo this person's last edit (restore its field to the revision before); None if none."""
        self.flush()
        mine = set(self._mine)
        candidates = [
            c
            for c in self.workspace.history(self.sig_id)
            if c.revision in mine or (self.author is not None and c.author == self.author)
        ]
        if not candidates:
            return None
        last = candidates[0]
        self.restore(last.revision - 1, path=last.path or None)
        return last

    def restore(self, revision: int, *, path: str | None = None) -> None:
        """Restore the plan, or one field, to how it was at `revision` (a new revision)."""
        loaded = self.workspace.restore(self.sig_id, revision, path=path, author=self.author)
        for controls in self._controls.values():
            for control in controls:
                control.show_problem(None)
        self._apply(loaded)
        what = "the plan" if not path else in_words(path, self.document)
        if not loaded.changed:
            message = f"Nothing to restore: {what} is already as it was then"
            self._set_status(SaveStatus(True, message))
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
        if self._presence is not None:
            with contextlib.suppress(StoreError, OSError):
                self._presence.leave(self.sig_id, self.visitor)
                self._presence.close()
            self._presence = None


def control_base(control: Bound) -> Any:
    return getattr(control, "base", None)
