"""The catalogues (roles, activity types, channels, ...): data an organisation can replace with its own file."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sigworkbook import settings
from sigworkbook.errors import SigworkbookError
from sigworkbook.resources import data_file

CatalogueName = Literal[
    "roles",
    "activity_types",
    "channels",
    "value_kinds",
    "follow_on_actions",
    "lifecycle_stages",
]
CATALOGUE_NAMES: tuple[CatalogueName, ...] = (
    "roles",
    "activity_types",
    "channels",
    "value_kinds",
    "follow_on_actions",
    "lifecycle_stages",
)
DEFAULT_FILE = data_file("catalogues.toml")


class CatalogueError(SigworkbookError, ValueError):
    """A catalogue file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: its key, label, description and any extra attributes."""

    key: str
    label: str
    description: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name, default)


@dataclass(frozen=True)
class Catalogues:
    """Every catalogue, each an ordered mapping from key to entry."""

    source: Path
    entries: Mapping[CatalogueName, Mapping[str, Entry]]

    def __getitem__(self, name: CatalogueName) -> Mapping[str, Entry]:
        return self.entries[name]

    def label(self, name: CatalogueName, key: str) -> str:
        entry = self.entries[name].get(key)
        return entry.label if entry else key

    def default_key(self, name: CatalogueName) -> str:
        """The key new rows start with: the entry marked `default = true`, else the first."""
        entries = self.entries[name]
        marked = [key for key, entry in entries.items() if entry.get("default") is True]
        return marked[0] if marked else next(iter(entries))

    def char_limit(self, channel: str) -> int | None:
        entry = self.entries["channels"].get(channel)
        limit = entry.get("char_limit") if entry else None
        return int(limit) if limit is not None else None


def load(path: Path) -> Catalogues:
    """Read and check a catalogue TOML file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogueError(f"catalogue file {path}: cannot be read ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogueError(f"catalogue file {path}: not valid TOML ({error})") from error
    entries: dict[CatalogueName, dict[str, Entry]] = {}
    for name in CATALOGUE_NAMES:
        table = raw.get(name)
        if not isinstance(table, dict) or not table:
            raise CatalogueError(f"catalogue file {path}: the table [{name}] is missing or empty")
        entries[name] = {}
        for key, item in table.items():
            if not isinstance(item, dict):
                raise CatalogueError(f"catalogue file {path}: [{name}.{key}] must be a table")
            label, description = item.get("label"), item.get("description", "")
            if not isinstance(label, str) or not label.strip():
                raise CatalogueError(f"catalogue file {path}: [{name}.{key}] needs a label")
            if not isinstance(description, str):
                raise CatalogueError(
                    f"catalogue file {path}: [{name}.{key}] description must be text"
                )
            extra = {k: v for k, v in item.items() if k not in ("label", "description")}
            entries[name][key] = Entry(key, label, description, extra)
    return Catalogues(path, entries)


_active: Catalogues | None = None


def default_key(name: CatalogueName) -> str:
    """The active catalogue's default key for `name` (see `Catalogues.default_key`)."""
    return active().default_key(name)


def active() -> Catalogues:
    """The catalogues in use: `use()`'s choice, else $SIGWORKBOOK_CATALOGUES, else the packaged file."""
    global _active
    if _active is None:
        _active = load(settings.CATALOGUES.read() or DEFAULT_FILE)
    return _active


def use(path: Path | None) -> Catalogues:
    """Make the catalogue file at `path` (or the default choice, for None) the active one."""
    global _active
    _active = load(path) if path is not None else None
    return active()
