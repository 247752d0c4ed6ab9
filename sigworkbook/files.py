"""Writing files so that a reader never sees half a file: write beside, flush, then rename."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

# What a plain open(path, "w") asks for; the kernel takes the process umask (or the folder's
# default ACL) away from it, so an export gets the permissions any other new file would.
NEW_FILE_MODE = 0o666
_TEMP_ATTEMPTS = 100


def _create_beside(path: Path) -> tuple[int, Path]:
    """Create a new, empty temporary file in `path`'s folder, opened for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMP_ATTEMPTS):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temporary, flags, NEW_FILE_MODE), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside it", str(path))


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` all at once: either the old file or the whole new one exists.

    The new file has the mode a plain open() would give it (0o666 less the umask), not the
    owner-only mode of tempfile.mkstemp."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_beside(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
