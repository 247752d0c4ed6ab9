"""A page's working session: which SIG, who is typing, and debounced, reported saving."""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sigworkbook.paths import get_path
from sigworkbook.store import StoreError
from sigworkbook.validation import PlanError
from sigworkbook.workspace import Loaded, Workspace, WorkspaceError

SAVE_DELAY = 0.4
"""Seconds of quiet typing after which a field is saved."""

POLL_INTERVAL = 1.0
"""Seconds between checks for other people's edits."""


class Bound(Protocol):
    """What a session needs from a control bound to one plan field."""

    path: str

    def show_value(self, value: Any) -> None: ...
    def show_problem(self, message: str | None) -> None: ...


@dataclass
class SaveStatus:
    """The outcome of the last save, for the page's status line."""

    ok: bool
    message: str
    at: dt.datetime | None = None


Listener = Callable[[Loaded], None]


@dataclass
class Session:
    """One visitor's view of one SIG: loads it, saves edits and tells controls what changed."""

    workspace: Workspace
    sig_id: str
    author: str | None = None
    loaded: Loaded = field(init=False)
    status: SaveStatus = field(init=False)
    _pending: dict[str, tuple[Any, Bound | None]] = field(default_factory=dict, init=False)
    _controls: dict[str, list[Bound]] = field(default_factory=dict, init=False)
    _listeners: list[Listener] = field(default_factory=list, init=False)
    _status_listeners: list[Callable[[SaveStatus], None]] = field(default_factory=list, init=False)
    _timer: asyncio.TimerHandle | None = field(default=None, init=False)
    _poller: asyncio.TimerHandle | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaded = self.workspace.load(self.sig_id)
        self.status = SaveStatus(True, "All changes saved")
        atexit.register(self.flush)

    # --- reading ------------------------------------------------------------------------

    @property
    def document(self) -> dict[str, Any]:
        return self.loaded.plan.model_dump(mode="json")

    def value(self, path: str) -> Any:
        return get_path(self.document, path)

    # --- controls and listeners ---------------------------------------------------------

    def register(self, control: Bound) -> None:
        self._controls.setdefault(control.path, []).append(control)

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
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(SAVE_DELAY, self.flush)

    def save(self, path: str, value: Any, source: Bound | None = None) -> bool:
        """Save one edit now; True when it was accepted."""
        self._pending[path] = (value, source)
        return self.flush()

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> bool:
        """Save every pending edit now, each on its own; True when all were accepted."""
        self._timer = None
        pending, self._pending = self._pending, {}
        all_ok = True
        for path, (value, source) in pending.items():
            all_ok = self._save_one(path, value, source) and all_ok
        return all_ok

    def _save_one(self, path: str, value: Any, source: Bound | None) -> bool:
        try:
            loaded = self.workspace.set(self.sig_id, path, value, author=self.author)
        except PlanError as error:
            problems = error.for_path(path) or error.problems
            message = "; ".join(p.message for p in problems)
            self._report(path, source, message)
            self._set_status(SaveStatus(False, f"Not saved: {problems[0]}"))
            return False
        except (StoreError, WorkspaceError) as error:
            self._report(path, source, f"not saved: {error}")
            self._set_status(SaveStatus(False, f"Not saved: {error}"))
            return False
        self._report(path, source, None)
        self._apply(loaded)
        now = dt.datetime.now()
        self._set_status(SaveStatus(True, f"Saved at {now:%H:%M}", now))
        return True

    def _report(self, path: str, source: Bound | None, message: str | None) -> None:
        targets = [source] if source is not None else self._controls.get(path, [])
        for control in targets:
            control.show_problem(message)

    # --- other people's edits -----------------------------------------------------------

    def _apply(self, loaded: Loaded) -> None:
        changed = loaded.revision != self.loaded.revision
        self.loaded = loaded
        if not changed:
            return
        document = self.document
        for path, controls in list(self._controls.items()):
            if path in self._pending:
                continue
            try:
                value = get_path(document, path)
            except (KeyError, IndexError, ValueError):
                continue
            for control in controls:
                control.show_value(value)
        for listener in list(self._listeners):
            listener(loaded)

    def refresh(self) -> bool:
        """Reload the plan if anyone saved since we last looked; True when it had changed."""
        if self.workspace.store.revision(self.sig_id) == self.loaded.revision:
            return False
        self._apply(self.workspace.load(self.sig_id))
        return True

    def start_live_updates(self, interval: float = POLL_INTERVAL) -> None:
        """Inside a kernel, check for other people's edits every `interval` seconds."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def tick() -> None:
            try:
                self.refresh()
            finally:
                self._poller = loop.call_later(interval, tick)

        if self._poller is None:
            self._poller = loop.call_later(interval, tick)


def participant_from_environment() -> str | None:
    return os.environ.get("SIGWORKBOOK_AUTHOR") or None
