"""The meeting room: whether other computers may join a served workbook, and its join code."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOM_FILE = "room.json"
"""The room's state in the workspace folder (one room per workspace, not per SIG)."""
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join code letters: no 0/O, 1/I/L, so that a code read off a projector is typed right."""
CODE_LENGTH = 6
JOIN_PATH = "j/"
"""The short address's path under the base URL: `host:port/j/CODE`."""
LOCAL_NAMES = frozenset({"127.0.0.1", "::1", "[::1]", "localhost"})
"""Host names of a page opened from this machine itself (the server's gate refuses them from
any other connection, so a kernel may trust its page's SERVER_NAME)."""


class RoomError(ValueError):
    """The room file cannot be read or written."""


@dataclass(frozen=True)
class Room:
    """Whether the room is open, its join code, and the SIG the short address leads to."""

    open: bool = False
    code: str = ""
    sig: str | None = None

    def admits(self, code: str) -> bool:
        """Whether `code` (from the short address or a browser's cookie) lets its holder in."""
        return (
            self.open
            and bool(self.code)
            and secrets.compare_digest(normalize_code(code).encode(), self.code.encode())
        )


def new_code() -> str:
    """A fresh random join code, e.g. K7P2QX."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """`code` as typed (any case, spaces around) in the form codes are kept."""
    return code.strip().upper()


def room_file(workspace: Path) -> Path:
    """Where the room of `workspace` is kept."""
    return workspace / ROOM_FILE


def read_room(path: Path) -> Room:
    """The room kept at `path`; a closed room when there is none or it cannot be read (closed
    is the safe reading of anything unexpected)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Room()
    if not isinstance(data, dict):
        return Room()
    code = data.get("code")
    sig = data.get("sig")
    valid_code = (
        isinstance(code, str) and len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    )
    if not valid_code:
        return Room()
    return Room(
        open=data.get("open") is True,
        code=str(code),
        sig=sig if isinstance(sig, str) and sig else None,
    )


def write_room(path: Path, room: Room) -> None:
    """Keep `room` at `path` atomically (a reader sees the old state or the new, never half),
    readable by this user only."""
    body = json.dumps({"open": room.open, "code": room.code, "sig": room.sig}, sort_keys=True)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".room-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise RoomError(f"room: cannot write {path}: {error.strerror}") from None


def open_room(path: Path, sig: str | None) -> Room:
    """Open the room (keeping its code, or with a new one), leading joiners to `sig`."""
    current = read_room(path)
    room = Room(open=True, code=current.code or new_code(), sig=sig or current.sig)
    write_room(path, room)
    return room


def change_code(path: Path) -> Room:
    """A new join code: the old one, and every browser that joined with it, is shut out."""
    current = read_room(path)
    room = Room(open=current.open, code=new_code(), sig=current.sig)
    write_room(path, room)
    return room


def close_room(path: Path) -> Room:
    """Close the room: nobody but this machine reaches the workbook (the code changes too, so
    reopening never lets an old joiner back in unasked)."""
    current = read_room(path)
    room = Room(open=False, code=new_code(), sig=current.sig)
    write_room(path, room)
    return room


def is_local_page(server_name: str) -> bool:
    """Whether a page whose request named `server_name` (Voila's SERVER_NAME) was opened from
    this machine's own loopback address."""
    return server_name.strip().lower() in LOCAL_NAMES


def short_address(host: str, port: int, base_url: str, code: str) -> str:
    """The address a person types off the projector, without its scheme:
    `192.168.1.23:8866/j/K7P2QX` (at most 30 characters for an IPv4 address at the root)."""
    return f"{host}:{port}{base_url}{JOIN_PATH}{code}"
