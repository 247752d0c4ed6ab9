"""Members of each SIG and listing submissions: the tables of schema version 2 and the
backend-neutral logic over them (each backend runs these statements in its own transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from sigworkbook.store import changelog
from sigworkbook.store.interface import (
    ROLES,
    LastOwner,
    Member,
    StoreError,
    Submission,
    UnknownSig,
)

Run = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
"""Runs one statement (``?`` placeholders) in the caller's transaction and returns its rows."""

SCHEMA_2: Final = (
    f"""CREATE TABLE members (
        sig_id TEXT NOT NULL REFERENCES sigs (sig_id),
        user_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ({", ".join(repr(r) for r in ROLES)})),
        added_by TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (sig_id, user_name)
    )""",
    "CREATE INDEX members_by_user ON members (user_name)",
    """CREATE TABLE listing_submissions (
        sig_id TEXT NOT NULL REFERENCES sigs (sig_id),
        revision INTEGER NOT NULL CHECK (revision >= 1),
        submitted_by TEXT,
        submitted_at TEXT NOT NULL
    )""",
    "CREATE INDEX listing_submissions_by_time ON listing_submissions (submitted_at)",
)
"""Version 2: who may see and edit each SIG, and its submissions to the network team."""

_ORDER: Final = "CASE role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, user_name"


def check_role(role: str | None) -> None:
    if role is not None and role not in ROLES:
        raise StoreError(f"'{role}' is not a role: choose owner, editor or viewer")


def check_user(user: str) -> None:
    if not user or user != user.strip() or len(user) > 200 or not user.isprintable():
        raise StoreError(f"'{user}' is not a hub user name")


def members(run: Run, sig_id: str) -> list[Member]:
    rows = run(
        f"SELECT user_name, role, added_by, added_at FROM members WHERE sig_id = ? ORDER BY {_ORDER}",
        (sig_id,),
    )
    return [Member(u, r, by, datetime.fromisoformat(at)) for u, r, by, at in rows]


def memberships(run: Run, user: str) -> dict[str, str]:
    rows = run("SELECT sig_id, role FROM members WHERE user_name = ?", (user,))
    return {sig_id: role for sig_id, role in rows}


def set_member(
    run: Run,
    sig_id: str,
    user: str,
    role: str | None,
    *,
    by: str | None,
    at: datetime | None,
) -> None:
    """Give `user` `role` (None removes them) inside the caller's write transaction."""
    check_user(user)
    check_role(role)
    if not run("SELECT 1 FROM sigs WHERE sig_id = ?", (sig_id,)):
        raise UnknownSig(f"there is no SIG {sig_id!r}")
    owners_before = _owners(run, sig_id)
    if role is None:
        run("DELETE FROM members WHERE sig_id = ? AND user_name = ?", (sig_id, user))
    else:
        when = changelog.at_text(at) if at is not None else changelog.now()
        run(
            "INSERT INTO members (sig_id, user_name, role, added_by, added_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sig_id, user_name) "
            "DO UPDATE SET role = excluded.role",
            (sig_id, user, role, by, when),
        )
    if owners_before and not _owners(run, sig_id):
        raise LastOwner(
            f"{user} is the last owner of this SIG: a SIG must keep at least one owner, "
            "so make someone else an owner first"
        )


def _owners(run: Run, sig_id: str) -> int:
    rows = run("SELECT COUNT(*) FROM members WHERE sig_id = ? AND role = 'owner'", (sig_id,))
    return int(rows[0][0])


def submit_listing(
    run: Run, sig_id: str, revision: int, *, user: str | None, at: datetime | None
) -> Submission:
    when = changelog.at_text(at) if at is not None else changelog.now()
    run(
        "INSERT INTO listing_submissions (sig_id, revision, submitted_by, submitted_at) "
        "VALUES (?, ?, ?, ?)",
        (sig_id, revision, user, when),
    )
    return Submission(sig_id, revision, user, datetime.fromisoformat(when))


def submissions(run: Run) -> list[Submission]:
    rows = run(
        "SELECT sig_id, revision, submitted_by, submitted_at FROM listing_submissions "
        "ORDER BY submitted_at DESC, sig_id",
        (),
    )
    return [Submission(s, r, u, datetime.fromisoformat(at)) for s, r, u, at in rows]
