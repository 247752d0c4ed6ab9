"""When two names are the same person: one rule for votes, presence and the core group."""

from __future__ import annotations


def person_key(name: str) -> str:
    """The form of a name that is compared: case and extra spaces do not matter."""
    return " ".join(name.split()).casefold()


def same_person(a: str, b: str) -> bool:
    """Whether two names are the same participant (ignoring case and extra spaces)."""
    return person_key(a) == person_key(b)
