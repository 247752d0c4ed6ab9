"""A page's working session on one SIG: the parts of live editing put together for the controls."""

from __future__ import annotations

import atexit
import copy
import secrets
import time
from collections.abc import Callable
from typing import Any

from traitlets import Bunch, HasTraits, Instance, List

from sigworkbook.live.authorship import Authorship
from sigworkbook.live.bound import Bound
from sigworkbook.live.conflicts import show_latest
from sigworkbook.live.kernel import kernel_loop, log
from sigworkbook.live.set_aside import SetAside
from sigworkbook.live.status import (
    CHOOSE,
    NAME_NEEDED,
    SAVING,
    UNREACHABLE,
    SaveStatus,
    opening_status,
    saved_status,
)
from sigworkbook.live.undo import UndoLog
from sigworkbook.live.updates import LiveUpdates
from sigworkbook.live.writing import UNREACHABLE_RETRY, Writer
from sigworkbook.plan.fields import in_words
from sigworkbook.plan.meeting import SET_ASIDE
from sigworkbook.plan.paths import get_path
from sigworkbook.store import Change, Visitor
from sigworkbook.workspace import Loaded, Workspace

__all__ = [
    "CHOOSE",
    "NAME_NEEDED",
    "SAVING",
    "SET_ASIDE",
    "UNREACHABLE",
    "UNREACHABLE_RETRY",
    "SaveStatus",
    "Session",
]


class Session(HasTraits):
    """One visitor's view of one SIG: loads it, saves edits and tells controls what changed.

    Observe `loaded` (the plan, after this page's or anyone's edit), `status` (the last save)
    and `here` (who else has the SIG open) as with any traitlets object; `on_change`,
    `on_status` and `on_presence` do that for a callback that takes the new value alone.
    The work is done by its parts: `writer` (saving), `set_aside_versions`, `undo_log` and
    `live` (others' edits and who is here).
    """

    loaded = Instance(Loaded, help="The plan as last read, with its revision.")
    status = Instance(SaveStatus, help="The outcome of the last save.")
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
        self.controls: dict[str, list[Bound]] = {}
        """The controls on the page, by the path of the field each shows."""
        self.applying = False
        """Showing a new plan in the controls: a write made meanwhile is shown at the next."""
        self._authorship = Authorship(workspace, sig_id)
        self._document: tuple[Loaded, dict[str, Any]] | None = None
        self.loaded = workspace.load(sig_id)
        self.writer = Writer(self)
        self.set_aside_versions = SetAside(self)
        self.undo_log = UndoLog()
        self.live = LiveUpdates(self, self.visitor)
        self.may_edit = workspace.can_edit(sig_id)
        """Whether this page's user may change the SIG (a viewer or the network team may not)."""
        self.status = opening_status(workspace.read_only, self.may_edit)
        atexit.register(self.close)  # what is pending is saved when the kernel exits

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
            self.status = SaveStatus(True, "All changes saved")
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
        self.controls.setdefault(control.path, []).append(control)
        control.show_changed(self.last_change(control.path))

    def unregister(self, control: Bound) -> None:
        controls = self.controls.get(control.path, [])
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

    # --- saving (see Writer) ------------------------------------------------------------

    def edit(self, path: str, value: Any, source: Bound | None = None) -> None:
        """Record an edit; it is saved after a short pause in typing (at once outside a kernel)."""
        self.typed_at = time.monotonic()
        self.writer.queue.put(path, value, source, debounce=self.debounce)
        if source is not None and not self.read_only:
            self.live.typed_in(path)
        if not self.debounce:
            self.flush()
        elif source is not None and source.in_conflict:
            self.status = SaveStatus(False, CHOOSE)  # nothing is saved until they choose
        elif self.status.message != SAVING and not self.read_only:
            self.status = SaveStatus(True, SAVING)

    def save(self, path: str, value: Any, source: Bound | None = None) -> bool:
        """Save one edit now; True when it was accepted."""
        self.writer.queue.put(path, value, source, debounce=False)
        return self.flush()

    def update(self, path: str, change: Callable[[Any], Any]) -> bool:
        """Save `change(current value)` at `path`, reading and writing in one transaction."""
        if self.needs_name:
            self.status = SaveStatus(False, NAME_NEEDED)
            return False
        return self.writer.write_now(
            lambda: self.workspace.update(self.sig_id, path, change, author=self.author)
        )

    def update_votes(self, change: Callable[[list[Any], Any], tuple[list[Any], Any]]) -> bool:
        """Save `change(name ideas, voting round)` in one transaction (`Workspace.update_votes`)."""
        return self.writer.write_now(
            lambda: self.workspace.update_votes(self.sig_id, change, author=self.author)
        )

    def queue_merged(self, path: str, text: str, source: Bound) -> None:
        """Queue the merged text of a field to be saved after the pause in typing (never from
        inside the save or the refresh that merged it)."""
        self.writer.queue.put(path, text, source, debounce=self.debounce)
        if self.debounce and not self.read_only:
            self.status = SaveStatus(True, SAVING)

    def discard(self, path: str) -> None:
        """Forget an edit of `path` that is waiting to be saved (the person chose another value)."""
        self.writer.queue.discard(path)
        self.writer.refused.drop(path)

    @property
    def has_pending(self) -> bool:
        return self.writer.queue.has_pending

    @property
    def failed_paths(self) -> list[str]:
        """Edits that could not be saved for a reason other than the value (busy, read-only)."""
        return self.writer.queue.failed_paths

    def flush(self) -> bool:
        """Save every pending edit now (see `Writer.flush`); True when all were accepted."""
        return self.writer.flush()

    def retry(self) -> bool:
        """Try the edits that failed to save again."""
        return self.writer.retry()

    def saved(self, loaded: Loaded) -> None:
        """This page saved `loaded`: show it, and say so in the status."""
        if loaded.changed:
            self.undo_log.saved(loaded.revision)
        self.show(loaded)
        self.status = saved_status(
            self.controls, self.writer.queue.has_pending, self.writer.refused, self.document
        )

    # --- versions set aside (see SetAside) ----------------------------------------------

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
        return self.set_aside_versions.keep(
            path, words, why=why, author=author, replaced_by=replaced_by
        )

    def drop_set_aside(self, entry_id: str) -> None:
        """Forget a version set aside whose words are in the field after all (the history keeps
        it anyway)."""
        self.set_aside_versions.drop(entry_id)

    def bring_back(self, entry_id: str) -> bool:
        """Put a version set aside back in its field (`SetAside.bring_back`)."""
        return self.set_aside_versions.bring_back(entry_id)

    # --- other people's edits and presence (see LiveUpdates) -----------------------------

    def show(self, loaded: Loaded) -> None:
        """Show `loaded` in the controls, then tell the observers of `loaded`."""
        if loaded.revision == self.loaded.revision:
            return
        with self.hold_trait_notifications():
            self.applying = True
            try:
                self.loaded = loaded
                self._authorship.reload()
                show_latest(
                    self.controls,
                    self.document,
                    self.last_change,
                    self.writer.queue,
                    self.writer.collided,
                )
                self.set_aside_versions.tell_replaced()
            finally:
                self.applying = False

    def refresh(self) -> bool:
        """Reload the plan if anyone saved since we last looked; True when it had changed."""
        if self.workspace.revision(self.sig_id) == self.loaded.revision:
            return False
        self.show(self.workspace.load(self.sig_id))
        return True

    def start_live_updates(self) -> None:
        """Inside a kernel, show other people's edits as the store's change feed reports them,
        and check in every few seconds."""
        self.live.start()

    def check_in(self) -> None:
        """Record that this page is open and read who else is here (best effort)."""
        self.live.check_in()

    def others(self) -> list[Visitor]:
        """Everyone else with a page of this SIG open, read now."""
        return self.live.presence.others()

    # --- undo and restore (see UndoLog) -------------------------------------------------

    def undo(self) -> Change | None:
        """Undo this person's last edit not undone yet (restore its field to the revision
        before); None if there is none. Each Undo goes one edit further back."""
        self.flush()
        last = self.undo_log.last(self.workspace.history(self.sig_id), self.author)
        if last is None:
            return None
        before = self.workspace.revision(self.sig_id)
        self.restore(last.revision - 1, path=last.path or None)
        self.undo_log.undone(last, before, self.loaded.revision)
        return last

    def restore(self, revision: int, *, path: str | None = None) -> None:
        """Restore the plan, or one field, to how it was at `revision` (a new revision)."""
        if self.needs_name:
            self.status = SaveStatus(False, NAME_NEEDED)
            return
        loaded = self.workspace.restore(self.sig_id, revision, path=path, author=self.author)
        for controls in self.controls.values():
            for control in controls:
                control.show_problem(None)
        self.show(loaded)
        what = "the plan" if not path else in_words(path, self.document)
        if not loaded.changed:
            self.status = SaveStatus(True, f"Nothing to restore: {what} is already as it was then")
            return
        self.undo_log.saved(loaded.revision)
        self.status = SaveStatus(True, f"Restored {what}")

    def close(self) -> None:
        """Save what is pending and say goodbye (called when the page closes or the kernel
        exits; the exit hook goes with it, so a closed session is not kept alive)."""
        atexit.unregister(self.close)
        self.writer.stop()
        self.live.stop()
