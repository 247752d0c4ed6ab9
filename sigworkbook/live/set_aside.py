"""Versions set aside: words typed in a field and not in it, kept with the plan until chosen."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.bound import merges
from sigworkbook.live.kernel import log
from sigworkbook.live.status import SaveStatus
from sigworkbook.plan.fieldtypes import new_id
from sigworkbook.plan.meeting import SET_ASIDE
from sigworkbook.plan.paths import get_path

if TYPE_CHECKING:
    from sigworkbook.live.session import Session


class SetAside:
    """A page's versions set aside: keeping, dropping, bringing back, and telling the person
    when someone else's "Keep mine" replaced their words."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen = {row.get("id") for row in self._rows()}

    def _rows(self) -> list[dict[str, Any]]:
        return get_path(self._session.document, SET_ASIDE, None) or []

    def keep(
        self, path: str, words: str, *, why: str, author: str | None, replaced_by: str
    ) -> str | None:
        """Keep `words`, typed in the field at `path` and not in it; its id, or None when it
        could not be kept."""
        session = self._session
        if not (words or "").strip() or session.read_only:
            return None
        entry = {
            "id": new_id(),
            "field": path,
            "words": words,
            "author": author if author is not None else (session.author or ""),
            "why": why,
            "replaced_by": replaced_by,
        }
        try:
            loaded = session.workspace.update(
                session.sig_id,
                SET_ASIDE,
                lambda rows: [*(rows or []), entry],
                author=session.author,
            )
        except SigworkbookError:
            log.exception("keeping a version set aside failed")
            return None
        if not session.applying:
            session.show(loaded)
        return str(entry["id"])

    def drop(self, entry_id: str) -> None:
        """Forget a version set aside (the history keeps it anyway)."""
        session = self._session
        with contextlib.suppress(SigworkbookError):
            session.show(
                session.workspace.update(
                    session.sig_id,
                    SET_ASIDE,
                    lambda rows: [r for r in rows or [] if r.get("id") != entry_id],
                    author=session.author,
                )
            )

    def bring_back(self, entry_id: str) -> bool:
        """Put a version set aside back in its field; the text it replaces is set aside in
        turn (nothing typed is lost)."""
        session = self._session
        entry = next((r for r in self._rows() if r.get("id") == entry_id), None)
        if entry is None:
            session.status = SaveStatus(False, "Not restored: that version is no longer kept")
            return False
        path, words = entry["field"], entry["words"]
        current = session.value(path) or ""
        if current.strip() and current != words:
            change = session.last_change(path)
            self.keep(
                path,
                current,
                why="replaced when an earlier version was brought back",
                author=change.author if change and change.author else "someone",
                replaced_by="",
            )
        session.discard(path)
        ok = session.save(path, words)
        if ok:
            self.drop(entry_id)  # in the field again (the history keeps it)
        for control in session.controls.get(path, []):
            control.show_value(session.value(path))
        return ok

    def tell_replaced(self) -> None:
        """Show this person, next to the field, each version of theirs someone else's "Keep
        mine" replaced since the page last looked (with Undo)."""
        author = self._session.author
        fresh = [r for r in self._rows() if r.get("id") not in self._seen]
        self._seen.update(r.get("id") for r in fresh)
        for entry in fresh:
            if entry.get("replaced_by") and author and entry.get("author") == author:
                for control in self._session.controls.get(entry.get("field", ""), []):
                    if merges(control):
                        control.show_replaced(entry)
