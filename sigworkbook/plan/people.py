"""When two names are the same: one rule for people (votes, presence, the core group) and SIGs."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

INVISIBLE = re.compile(
    "[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]"
)
"""Characters that show as nothing (zero-width spaces, soft hyphen, Hangul fillers) or that
reorder what is shown (bidirectional marks, embeddings, overrides and isolates): in a name they
only make two names that look the same differ, or one look like another."""

JOINER = re.compile("[\u200c\u200d]")
"""The zero-width joiner and non-joiner: part of how some scripts and emoji are written (👩‍⚕️,
Persian, the Indic scripts), and invisible between Latin letters."""


def _latin_or_space(char: str) -> bool:
    return char.isspace() or char.isascii() or unicodedata.name(char, "").startswith("LATIN")


def _joiner_kept(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    if before and after and not _latin_or_space(before) and not _latin_or_space(after):
        return match.group()
    return ""


def clean_name(value: Any) -> Any:
    """A name as it is stored: composed (Unicode NFC), without invisible or direction-changing
    characters (a joiner only where a script or an emoji needs it). Spaces are left as typed
    (a box being typed in keeps its trailing space)."""
    if not isinstance(value, str):
        return value
    visible = INVISIBLE.sub("", value)
    return unicodedata.normalize("NFC", JOINER.sub(_joiner_kept, visible))


def name_key(name: str) -> str:
    """The form of a name that is compared: case, extra spaces, invisible characters and the
    way an accent is encoded do not matter."""
    plain = JOINER.sub("", clean_name(name))
    return unicodedata.normalize("NFC", " ".join(plain.split()).casefold())


def same_name(a: str, b: str) -> bool:
    """Whether two names (of people or of SIGs) are the same, by `name_key`."""
    return name_key(a) == name_key(b)


person_key = name_key
"""The compared form of a person's name (a vote, presence, the core group)."""

same_person = same_name
"""Whether two names are the same participant."""
