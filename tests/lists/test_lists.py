"""Lists as people keep them: Excel and CSV in several encodings and separators read the same."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest

from sigworkbook.lists.matching import SearchIndex, rank, similarity, split_values
from sigworkbook.lists.reading import RecordsError, column_key, read_records, separator_of

COLUMNS = ("name", "organisation", "interests")
HEADER = ["Name", "Organisation", "Role", "Interests"]
PEOPLE = [
    ["Zoë Müller", "Café Carers\u2019 Network", "Carer representative", "unpaid carers; respite"],
    ["Björn Nowak", "Tyneford GP Practice", "GP", "frailty; older people"],
    [
        "Siân Évans",
        "Glanrhyd Health Board \u2013 Older People",
        "Nurse",
        "hospital discharge; frailty",
    ],
    ["Ada Lovelace", "Analytical Engines; Ltd", "Analyst", "data; dashboards"],
]
"""Accents, curly quotes, an en dash and a semicolon inside a value: what real lists hold."""


def csv_text(separator: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if separator in value or '"' in value else value

    lines = [separator.join(cell(v) for v in row) for row in [HEADER, *PEOPLE]]
    return "\r\n".join(lines) + "\r\n"


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *PEOPLE]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES: dict[str, Callable[[], bytes]] = {
    "Excel workbook": xlsx_bytes,
    "CSV UTF-8": lambda: csv_text(",").encode("utf-8"),
    "CSV UTF-8 with BOM": lambda: csv_text(",").encode("utf-8-sig"),
    "CSV Windows-1252": lambda: csv_text(",").encode("cp1252"),
    "CSV with semicolons (Windows-1252)": lambda: csv_text(";").encode("cp1252"),
    "CSV with semicolons (UTF-8 with BOM)": lambda: csv_text(";").encode("utf-8-sig"),
    "tab-separated Unicode text (UTF-16)": lambda: csv_text("\t").encode("utf-16"),
}

EXPECTED = [
    dict(zip(["name", "organisation", "Role", "interests"], row, strict=True)) for row in PEOPLE
]


@pytest.mark.parametrize("kind", list(FILES))
def test_every_kind_of_file_gives_the_same_records(kind: str) -> None:
    assert read_records(FILES[kind](), COLUMNS, non_empty=["name"]) == EXPECTED


@pytest.mark.parametrize("kind", list(FILES))
def test_every_kind_of_file_gives_the_same_matches(kind: str) -> None:
    records = read_records(FILES[kind](), COLUMNS)
    matches = rank(["frailty", "carers", "older people"], records, ["interests", "organisation"])
    found = [(m.record["name"], [(h.term, h.field, h.text) for h in m.hits]) for m in matches]
    assert found == [
        (
            "Björn Nowak",
            [("frailty", "interests", "frailty"), ("older people", "interests", "older people")],
        ),
        (
            "Siân Évans",
            [
                ("frailty", "interests", "frailty"),
                ("older people", "organisation", "Glanrhyd Health Board \u2013 Older People"),
            ],
        ),
        ("Zoë Müller", [("carers", "interests", "unpaid carers")]),
    ]


def test_column_names_ignore_case_spaces_and_underscores() -> None:
    data = " NAME ;Key Phrases;theme\nA;b;c\n"
    assert read_records(data, ["name", "theme", "key_phrases"]) == [
        {"name": "A", "key_phrases": "b", "theme": "c"}
    ]
    assert column_key("Key_Phrases") == column_key("key phrases") == column_key("KeyPhrases")


def test_a_missing_column_is_named_with_the_columns_found() -> None:
    data = "Full name,Organisation,Topics\nA,b,c\n".encode("cp1252")
    with pytest.raises(RecordsError) as error:
        read_records(data, COLUMNS)
    assert str(error.value) == (
        "missing columns 'name', 'interests': the first row has 'Full name', 'Organisation', 'Topics'"
    )


def test_a_missing_column_in_a_workbook_is_named_too() -> None:
    book = openpyxl.Workbook()
    book.active.append(["name", "theme"])
    book.active.append(["A", "b"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(
        RecordsError, match="missing column 'key phrases': the first row has 'name', 'theme'"
    ):
        read_records(out.getvalue(), ["name", "theme", "key_phrases"])


def test_numbers_and_blank_rows_in_a_workbook() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "theme", "key_phrases"])
    sheet.append([])
    sheet.append(["Group 7", 2024, None])
    out = io.BytesIO()
    book.save(out)
    assert read_records(out.getvalue(), ["name", "theme", "key_phrases"]) == [
        {"name": "Group 7", "theme": "2024", "key_phrases": ""}
    ]


def test_the_separator_is_read_from_the_header() -> None:
    assert separator_of("a;b;c\n1,5;2;3") == ";"
    assert separator_of('"x;y",b,c\n') == ","
    assert separator_of("a\tb\n") == "\t"
    assert separator_of("name\nA\n") == ","


def test_the_index_scores_every_part_as_similarity_does() -> None:
    """The vectorised search gives the numbers of the one-by-one similarity, part by part."""
    records = [
        dict(zip(["name", "organisation", "Role", "interests"], p, strict=True)) for p in PEOPLE
    ]
    index = SearchIndex(records, ["interests", "organisation"])
    for term in ["frailty", "older peple", "carers network", "data"]:
        matches = {m.index: m for m in index.search([term], limit=100, threshold=0.1)}
        for number, record in enumerate(records):
            best = max(
                (round(similarity(term, part), 1), field)
                for field in ["interests", "organisation"]
                for part in split_values(record[field])
            )
            if best[0] >= 0.1:
                assert matches[number].hits[0].score == best[0], (term, record["name"])
            else:
                assert number not in matches


def test_find_returns_the_best_and_counts_all_as_a_full_ranking_does() -> None:
    from benchmarks.searching import directory_csv

    people = read_records(directory_csv(2000), COLUMNS)
    index = SearchIndex(people, ["interests", "Role"])
    terms = ["frailty", "older peple", "carers", "GP"]
    everyone = index.search(terms, limit=len(people))
    found = index.find(terms, limit=25)
    assert found.total == len(everyone) > 25
    assert found.matches == everyone[:25]
    assert index.find(terms, limit=0).matches == []
    assert index.find(["astrophysics"]).total == 0
