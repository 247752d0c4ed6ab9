"""Dotted paths into JSON documents: parse them, read and write through them, list differences."""

from __future__ import annotations

import copy
import itertools
import json
import re
from typing import Any, Final

from sigworkbook.errors import SigworkbookError

Segment = str | int
Parts = tuple[Segment, ...]

_SEGMENT: Final = re.compile(r"[a-z0-9_]+")
_INDEX: Final = re.compile(r"0|[1-9][0-9]*")
_MISSING: Final = object()


class PathError(SigworkbookError, ValueError):
    """A dotted path is malformed or does not fit the document it is used on."""


def parse_path(path: str) -> Parts:
    """Split ``"schedule.activities.2.title"`` into ``("schedule", "activities", 2, "title")``.

    The empty path ``""`` means the whole document and parses to ``()``. Segments are made of
    lower-case letters, digits and underscores; an all-digit segment is a list index and must
    be written without leading zeros (so that every position has exactly one spelling).
    """
    if not isinstance(path, str):
        raise PathError(f"path {path!r} must be a string, not {type(path).__name__}")
    if path == "":
        return ()
    parts: list[Segment] = []
    for number, segment in enumerate(path.split("."), start=1):
        if segment == "":
            raise PathError(f"path {path!r} has an empty segment (number {number})")
        if not _SEGMENT.fullmatch(segment):
            raise PathError(f"path {path!r}: segment {segment!r} may only contain a-z, 0-9 and _")
        if segment.isdigit():
            if not _INDEX.fullmatch(segment):
                raise PathError(f"path {path!r}: list index {segment!r} has a leading zero")
            parts.append(int(segment))
        else:
            parts.append(segment)
    return tuple(parts)


def format_path(parts: Parts) -> str:
    """Join path parts back into the dotted form; the inverse of :func:`parse_path`."""
    text = ".".join(str(part) for part in parts)
    parse_path(text)  # refuse parts that would not read back the same way
    return text


def split_row(parts: Parts) -> tuple[Parts, int, Parts] | None:
    """For a path through a table row: (the table's parts, the row's index, the parts inside
    the row, empty for the whole row); None for a path through no list index."""
    for at, part in enumerate(parts):
        if isinstance(part, int):
            return parts[:at], part, parts[at + 1 :]
    return None


def is_addressable_key(key: object) -> bool:
    """Whether a dict key can appear as a path segment (a string that is not a list index)."""
    return isinstance(key, str) and bool(_SEGMENT.fullmatch(key)) and not key.isdigit()


def _step(container: Any, part: Segment, path: str) -> Any:
    """Return ``container[part]``, or ``_MISSING`` when a dict key or list index is absent."""
    if isinstance(part, int):
        if not isinstance(container, list):
            raise PathError(f"path {path!r}: index {part} used on {_kind(container)}, not a list")
        return container[part] if part < len(container) else _MISSING
    if not isinstance(container, dict):
        raise PathError(f"path {path!r}: key {part!r} used on {_kind(container)}, not an object")
    return container.get(part, _MISSING)


def _kind(value: Any) -> str:
    """Name a JSON value's type in words, with its article, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def get_path(doc: Any, path: str, default: Any = _MISSING) -> Any:
    """Return the value at ``path`` in ``doc`` (the document itself for ``""``).

    A missing key or an index past the end raises :class:`PathError` unless ``default`` is
    given, in which case ``default`` is returned. Stepping into a value that is not a
    container always raises.
    """
    parts = parse_path(path)
    node = doc
    for depth, part in enumerate(parts):
        node = _step(node, part, path)
        if node is _MISSING:
            if default is not _MISSING:
                return default
            where = format_path(parts[: depth + 1])
            if isinstance(part, int):
                raise PathError(f"path {path!r}: list index {part} is out of range at {where!r}")
            raise PathError(f"path {path!r}: there is no {part!r} at {where!r}")
    return node


def set_path(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a deep copy of ``doc`` with ``value`` (also copied) placed at ``path``.

    The input is never changed. Missing intermediate object keys are created as ``{}``; a list
    index must already exist. The empty path replaces the whole document, which must then be
    an object.
    """
    new_doc = copy.deepcopy(doc)
    return set_path_in_place(new_doc, path, copy.deepcopy(value))


def set_path_in_place(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Place ``value`` at ``path`` inside ``doc`` itself and return the resulting document.

    Same rules as :func:`set_path`, without copying: for callers that own ``doc`` and
    ``value`` outright (such as a replay of stored history). For ``""`` the returned document
    is ``value``.
    """
    parts = parse_path(path)
    if not parts:
        if not isinstance(value, dict):
            raise PathError(f"path '': the whole document must be an object, not {_kind(value)}")
        return value
    if not isinstance(doc, dict):
        raise PathError(f"path {path!r}: the document must be an object, not {_kind(doc)}")
    node: Any = doc
    for part, next_part in itertools.pairwise(parts):
        child = _step(node, part, path)
        if child is _MISSING:
            if isinstance(part, int):
                raise PathError(f"path {path!r}: list index {part} is out of range")
            if isinstance(next_part, int):
                raise PathError(
                    f"path {path!r}: {part!r} does not exist, so index {next_part} cannot be set"
                )
            child = {}
            node[part] = child
        node = child
    last = parts[-1]
    if _step(node, last, path) is _MISSING and isinstance(last, int):
        raise PathError(f"path {path!r}: list index {last} is out of range")
    node[last] = value
    return doc


def canonical_json(value: Any) -> str:
    """Serialise a JSON value in the one canonical form used for storing and comparing.

    Raises :class:`TypeError` or :class:`ValueError` for values JSON cannot hold
    (objects of other types, NaN, infinities).
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def differences(old: Any, new: Any, prefix: Parts = ()) -> list[tuple[str, Any]]:
    """List ``(path, value)`` settings that turn ``old`` into ``new`` when applied in order.

    Objects are compared key by key and lists of equal length item by item; a removed key,
    a key that cannot be written as a path segment, or a change of list length makes the
    whole enclosing value one setting. Values are compared by their canonical JSON, so
    ``1`` and ``True`` differ.
    """
    if old is not _MISSING and canonical_json(old) == canonical_json(new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        removed = any(key not in new for key in old)
        addressable = all(is_addressable_key(key) for key in new)
        if not removed and addressable:
            result: list[tuple[str, Any]] = []
            for key in sorted(new):
                result.extend(differences(old.get(key, _MISSING), new[key], (*prefix, key)))
            return result
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        result = []
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            result.extend(differences(old_item, new_item, (*prefix, index)))
        return result
    return [(format_path(prefix), copy.deepcopy(new))]


def row_by_id(rows: Any, row_id: str) -> tuple[int, dict[str, Any]] | None:
    """(index, row) of the row of a table whose ``id`` is `row_id`; None when it is not there."""
    if not isinstance(rows, list):
        return None
    for index, row in enumerate(rows):
        if isinstance(row, dict) and row.get("id") == row_id:
            return index, row
    return None
