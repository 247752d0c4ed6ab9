"""The member directory as data: its columns, what is searched, and a person described in words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sigworkbook.lists.matching import Match, SearchIndex, read_records, where_found

REQUIRED_COLUMNS = ("name", "organisation", "interests")
"""Columns a directory file must have; `role` and `region` are shown when present."""
OPTIONAL_COLUMNS = ("role", "region")
SEARCH_FIELDS = ("interests", "role")

Record = Mapping[str, str]


def read_directory(data: bytes | str) -> list[dict[str, str]]:
    """The people of a directory file (.xlsx or CSV); RecordsError says what is wrong with it."""
    return read_records(data, REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, non_empty=("name",))


def directory_index(people: Sequence[Record]) -> SearchIndex:
    """The people ready to be searched by interest and role."""
    return SearchIndex(people, SEARCH_FIELDS)


def parse_terms(text: str) -> list[str]:
    """Search terms typed into one box, separated by semicolons or new lines."""
    return [term.strip() for term in text.replace("\n", ";").split(";") if term.strip()]


def describe(record: Record) -> str:
    """'Name — Role, Organisation (Region)' as plain text."""
    details = ", ".join(p for p in (record.get("role", ""), record.get("organisation", "")) if p)
    region = f" ({record['region']})" if record.get("region") else ""
    return f"{record.get('name', '')} — {details}{region}" if details else record.get("name", "")


def found_in(match: Match) -> str:
    """Where the person matched, truthfully: 'found “frailty” in interests; …'."""
    return "; ".join(where_found(hit) for hit in match.hits)
