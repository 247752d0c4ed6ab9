"""What the page's status line says about saving: each outcome, and its wording."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigworkbook.live.bound import Bound
from sigworkbook.plan.fields import in_words


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
SAVING = "Saving…"
"""The status while typed text waits for its save: never "saved" before it is."""
UNREACHABLE = "Not saved: database unreachable, trying again"
NAME_NEEDED = "Not saved yet: type your name at the top of the page, then it is saved"
"""A nameless visitor's edit waits for their name: nothing in the history is by nobody."""


def opening_status(read_only_workspace: bool, may_edit: bool) -> SaveStatus:
    """The status when the page opens: all saved, or why nothing will be."""
    if read_only_workspace:
        return SaveStatus(False, "This workspace is read-only: you can read, but nothing is saved.")
    if not may_edit:
        return SaveStatus(False, "You can read this SIG, but not change it.")
    return SaveStatus(True, "All changes saved")


class Refusals:
    """Edits refused for their value, until that field saves, is discarded or is put right."""

    def __init__(self) -> None:
        self._refused: dict[str, Bound | None] = {}

    def add(self, path: str, source: Bound | None) -> None:
        self._refused[path] = source

    def drop(self, path: str) -> None:
        self._refused.pop(path, None)

    def showing(self) -> list[str]:
        """The fields whose refusal still shows (a control put right is forgotten)."""
        self._refused = {
            path: control
            for path, control in self._refused.items()
            if control is None or control.has_problem
        }
        return list(self._refused)


def saved_status(
    controls: Mapping[str, Sequence[Bound]],
    pending: bool,
    refused: Refusals,
    document: dict[str, Any],
) -> SaveStatus:
    """'Saved at 14:05', unless an edit of another field is still refused: then it names it;
    never while a field waits for its person to choose between two versions, or while
    typing waits for its save (`pending`)."""
    now = dt.datetime.now()
    if any(c.in_conflict for bound in controls.values() for c in bound):
        return SaveStatus(False, CHOOSE)
    if pending:
        return SaveStatus(True, SAVING)
    names = ", ".join(dict.fromkeys(in_words(path, document) for path in refused.showing()))
    if not names:
        return SaveStatus(True, f"Saved at {now:%H:%M}", now)
    return SaveStatus(False, f"Saved at {now:%H:%M}, except {names}: see the message under it", now)
