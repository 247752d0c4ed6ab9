"""A plan field's kind, declared in the model: the marker a text type carries and what each kind is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "line", "prose", "bool", "int", "date", "datetime", "choice", "list", "map", "section"
]
"""What a field holds, as the rest of the package names it."""

Input = Literal[
    "line",
    "time_zone",
    "prose",
    "bool",
    "yes_no",
    "int",
    "whole_or_blank",
    "date",
    "datetime",
    "choice",
    "list",
    "map",
    "section",
]
"""How a person gives a field's value: the key of the forms' table of inputs (`ui/kinds.py`).
A kind with more than one way: a line that offers time zones as it is typed, a tick that may
still be unanswered (`yes_no`), a whole number that may be left blank (`whole_or_blank`)."""


@dataclass(frozen=True)
class FieldKind:
    """A text type's declared kind, put in its `Annotated[...]` metadata (`Prose` carries
    `PROSE`); fields.py reads it there. Types other than text need none: a `bool`, a date or a
    list says what it is."""

    kind: Kind
    input: Input
    offers_time_zones: bool = False
    """The known time zone names are offered as it is typed."""


LINE = FieldKind("line", "line")
"""One line of text (the kind of any text type that declares none)."""
PROSE = FieldKind("prose", "prose")
"""Text of several lines and paragraphs."""
TIME_ZONE = FieldKind("line", "time_zone", offers_time_zones=True)
"""A line naming a time zone; the known names are offered as it is typed."""


@dataclass(frozen=True)
class KindTraits:
    """What the package may ask about a kind, so that no module compares kind names."""

    text: bool = False
    """Typed text: counted against its limit, merged when several people type."""
    paragraphs: bool = False
    """Text of several paragraphs: shown at a row's whole width."""
    bare_word: bool = False
    """Not text, but its value is a word or a date that may be given without JSON quotes."""
    dated: bool = False
    """A date or a date and time."""
    rows: bool = False
    """A list: its entries are addressed by index."""
    keyed: bool = False
    """A map: its entries are addressed by key."""
    section: bool = False
    """A group of fields of its own."""


TRAITS: dict[Kind, KindTraits] = {
    "line": KindTraits(text=True),
    "prose": KindTraits(text=True, paragraphs=True),
    "bool": KindTraits(),
    "int": KindTraits(),
    "date": KindTraits(dated=True, bare_word=True),
    "datetime": KindTraits(dated=True, bare_word=True),
    "choice": KindTraits(bare_word=True),
    "list": KindTraits(rows=True),
    "map": KindTraits(keyed=True),
    "section": KindTraits(section=True),
}
