"""Opening a store from a database URL: the scheme picks the backend (``sqlite:///path``), found\nin the ``sigworkbook.stores`` entry point group."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

from sigworkbook.store.interface import Store, StoreError

Opener = Callable[[str, bool, float], Store]
"""Opens the database at a URL: ``(url, create, busy_timeout)``."""

GROUP: Final = "sigworkbook.stores"
"""The entry point group of store backends: each entry's name is a URL scheme, its value the
``module:function`` of the backend's opener (ours are in pyproject.toml; another package adds
one in its own), imported only when a URL of that scheme is opened."""


def backends() -> dict[str, EntryPoint]:
    """The store backends installed, by URL scheme (read again only when sys.path changes:
    reading every installed package's metadata takes tens of milliseconds per page)."""
    return _installed(tuple(sys.path))


@functools.lru_cache(maxsize=8)
def _installed(search_path: tuple[str, ...]) -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=GROUP)}


_QUERY_PASSWORD: Final = re.compile(r"((?:^|[?&])password=)[^&#]*", re.IGNORECASE)


def database_url(file: Path) -> str:
    """The URL of an SQLite database file."""
    return f"sqlite:///{file.absolute().as_posix().lstrip('/')}"


def mask_password(url: str) -> str:
    """`url` with any password (``user:password@`` or ``?password=``) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<a database URL that cannot be read>"
    if _QUERY_PASSWORD.search(parts.query):
        url = _QUERY_PASSWORD.sub(r"\1***", url)
        parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    user = parts.username or ""
    netloc = f"{user}:***@{host}" + (f":{port}" if port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def sqlite_path(url: str) -> Path:
    """The file of an ``sqlite:///path`` URL (``sqlite:////abs`` and ``sqlite:///abs`` alike)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise StoreError(f"{url}: an sqlite URL names a file on this machine: sqlite:///path")
    path = unquote(parts.path)
    if not path or path == "/":
        raise StoreError(f"{url}: the URL names no database file (sqlite:///path/to/file.db)")
    return Path("/" + path.lstrip("/"))


def open_store(url: str, *, create: bool = False, busy_timeout: float = 30.0) -> Store:
    """Open the database at `url` with the backend its scheme names."""
    return opener_for(url)(url, create, busy_timeout)


def opener_for(url: str) -> Opener:
    """The opener of the backend that `url`'s scheme names, its module imported."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    scheme = {"postgres": "postgresql"}.get(scheme.split("+", 1)[0], scheme.split("+", 1)[0])
    installed = backends()
    target = installed.get(scheme)
    if target is None:
        if not installed:
            raise StoreError(
                f"no store backend is installed to open {mask_password(url)}: install sigworkbook "
                f"(pip install sigworkbook), whose entry points ({GROUP}) declare them"
            )
        known = ", ".join(f"{name}://" for name in sorted(installed))
        raise StoreError(
            f"the database URL {mask_password(url)} is not one sigworkbook can open: "
            f"it must start with {known}"
        )
    opener: Opener = target.load()
    return opener
