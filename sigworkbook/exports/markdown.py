"""Markdown escaping: whatever a user typed comes out as literal text, never as Markdown or HTML."""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import Any

# Characters that start Markdown syntax anywhere in a line: escapes, code, emphasis, links and
# images, HTML and autolinks, ATX closing sequences, table pipes and strikethrough.
_ALWAYS = frozenset("\\`*_[]<#|~")
# At the start of a line these also open a list, a block quote or a setext underline.
_LINE_START = frozenset("-+=>")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_WEB_ADDRESS = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_SAFE = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")

LINE_JOIN = " / "
"""What stands for a line break where Markdown allows none (table cells, one-line values)."""


class MdSafe(str):
    """Markdown written by a template or by this module: printed as it is, never escaped again."""

    __slots__ = ()


TO_BE_AGREED = MdSafe("*To be agreed*")
"""The visible marker for a section nobody has written yet."""


def _escape_line(line: str) -> str:
    """One stripped, non-empty line of user text as literal Markdown at the start of a line."""
    escaped = "".join("\\" + ch if ch in _ALWAYS else ch for ch in line)
    escaped = _ENTITY.sub(r"\\&", escaped)
    if escaped[0] in _LINE_START:
        return "\\" + escaped
    return _ORDERED_MARKER.sub(r"\1\\\2", escaped)


def _paragraphs(value: str) -> list[list[str]]:
    """The text's paragraphs, each a list of stripped non-empty lines."""
    paragraphs: list[list[str]] = [[]]
    for raw in value.split("\n"):
        line = raw.strip()
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return str(value)


def inline(value: Any) -> MdSafe:
    """Text on one line (a heading, a table cell, after a label): line breaks become ' / '."""
    if isinstance(value, MdSafe):
        return value
    lines = [line for paragraph in _paragraphs(_text(value)) for line in paragraph]
    return MdSafe(LINE_JOIN.join(_escape_line(line) for line in lines))


def _lines(value: Any, indent: str) -> MdSafe:
    """Paragraphs keeping the user's line breaks; lines after the first start with `indent`."""
    if isinstance(value, MdSafe):
        return value
    out: list[str] = []
    for paragraph in _paragraphs(_text(value)):
        if out:
            out.append("")
        escaped = [_escape_line(line) for line in paragraph]
        # A backslash at the end of a line is a hard line break: the user's line breaks stay.
        out.extend(line + "\\" for line in escaped[:-1])
        out.append(escaped[-1])
    following = [indent + line if line else indent.rstrip() for line in out[1:]]
    return MdSafe("\n".join(out[:1] + following))


def block(value: Any) -> MdSafe:
    """Text as one or more paragraphs of their own, keeping the user's line breaks."""
    return _lines(value, "")


def item(value: Any, indent: int = 2) -> MdSafe:
    """Text inside a list item whose content starts `indent` columns in: it stays in the item."""
    return _lines(value, " " * indent)


def quote(value: Any) -> MdSafe:
    """Text inside a block quote (the template writes the first '> '); paragraphs stay inside."""
    return _lines(value, "> ")


def url(value: Any) -> MdSafe:
    """A web address as a clickable autolink; anything that is not http(s) stays plain text."""
    if isinstance(value, MdSafe):
        return value
    text = _text(value).strip()
    if not _WEB_ADDRESS.fullmatch(text):
        return inline(text)
    quoted = "".join(
        ch if ch in _URL_SAFE else "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))
        for ch in text
    )
    return MdSafe(f"<{quoted}>")


def finalize(value: Any) -> Any:
    """Jinja `finalize` for Markdown templates: every printed value is escaped unless MdSafe."""
    if isinstance(value, MdSafe):
        return value
    if isinstance(value, dt.date | dt.datetime | int | float | bool):
        return inline(str(value))
    return inline(value)
