"""Fuzzy matching of terms against records, and reading records from CSV and Excel files."""

from __future__ import annotations

import pytest
from repo_paths import PACKAGE

from sigworkbook.lists.matching import (
    Match,
    RecordsError,
    clean_terms,
    rank,
    read_records,
    similarity,
    split_values,
)

SAMPLE = PACKAGE / "data" / "sample"
FIELDS = ("name", "theme", "key_phrases")

GROUPS = [
    {"name": "Sepsis Circle", "theme": "Sepsis", "key_phrases": "sepsis; early warning scores"},
    {
        "name": "Falls Forum",
        "theme": "Falls prevention",
        "key_phrases": "falls; older people; care homes",
    },
    {
        "name": "Frailty Network",
        "theme": "Frailty",
        "key_phrases": "frailty; older people; hospital discharge",
    },
    {"name": "Data Club", "theme": "Analytics", "key_phrases": "data; dashboards"},
]


def names(matches: list[Match]) -> list[str]:
    return [m.record["name"] for m in matches]


def test_a_record_matching_more_terms_ranks_first() -> None:
    matches = rank(["older people", "hospital discharge"], GROUPS, FIELDS)
    assert names(matches) == ["Frailty Network", "Falls Forum"]
    assert [h.term for h in matches[0].hits] == ["older people", "hospital discharge"]
    assert matches[0].relevance > matches[1].relevance


def test_hits_say_which_field_and_words_matched() -> None:
    (match,) = rank(["early warning score"], GROUPS, FIELDS)
    (hit,) = match.hits
    assert (hit.field, hit.text) == ("key_phrases", "early warning scores")
    assert 90 <= hit.score < 100


def test_a_misspelt_term_still_finds_its_record() -> None:
    assert names(rank(["hospital dischage"], GROUPS, FIELDS)) == ["Frailty Network"]


def test_unrelated_terms_and_common_words_match_nothing() -> None:
    assert rank(["mental health"], GROUPS, FIELDS) == []
    assert rank(["the", "and of"], GROUPS, FIELDS) == []
    assert rank([], GROUPS, FIELDS) == []


def test_only_the_given_fields_are_searched() -> None:
    assert rank(["Analytics"], GROUPS, ["name", "key_phrases"]) == []
    assert names(rank(["Analytics"], GROUPS, ["theme"])) == ["Data Club"]


def test_equal_matches_keep_the_records_order_and_the_limit_cuts() -> None:
    many = [{"name": f"Group {i}", "theme": "patient safety"} for i in range(5)]
    matches = rank(["patient safety"], many, ["theme"], limit=3)
    assert names(matches) == ["Group 0", "Group 1", "Group 2"]


def test_a_text_holding_only_part_of_a_term_scores_lower() -> None:
    assert similarity("unpaid carers", "unpaid carers") == 100
    assert similarity("older people", "frailty and older people") == 100
    assert 70 <= similarity("unpaid carers", "carers") < 90
    assert similarity("discharge planning", "safety planning") < 70


def test_terms_are_cleaned_of_blanks_and_repeats() -> None:
    assert clean_terms([" Older  people ", "", "older people", "the", "Falls"]) == [
        "Older people",
        "Falls",
    ]
    assert split_values("a; b ;; c") == ["a", "b", "c"]


def test_sample_groups_find_the_discharge_collaborative_for_the_demo() -> None:
    groups = read_records((SAMPLE / "existing-groups.csv").read_bytes(), FIELDS)
    assert len(groups) == 41
    terms = ["Home Safely", "hospital discharge", "older people", "home first", "unpaid carers"]
    matches = rank(terms, groups, FIELDS, limit=5)
    assert matches[0].record["name"] == "Discharge and Home First Collaborative"
    assert "Frailty Improvement Network" in names(matches)


def test_sample_directory_search_finds_members_by_interest() -> None:
    people = read_records((SAMPLE / "member-directory.csv").read_bytes(), ["name", "interests"])
    matches = rank(["frailty"], people, ["interests"], limit=500)
    assert 5 <= len(matches) <= 30
    for match in matches:
        assert "frailty" in match.record["interests"].casefold()
    everyone_with_it = [p for p in people if "frailty" in p["interests"].casefold()]
    assert len(matches) == len(everyone_with_it)


# --- reading CSV ----------------------------------------------------------------------------


def test_columns_are_found_ignoring_case_spaces_and_a_byte_order_mark() -> None:
    data = "\ufeff Name ,THEME,Key_Phrases,url\nA,b,c,https://x.example.org\n\n".encode()
    assert read_records(data, FIELDS) == [
        {"name": "A", "theme": "b", "key_phrases": "c", "url": "https://x.example.org"}
    ]


def test_quoted_commas_and_line_breaks_stay_in_their_cell() -> None:
    data = 'name,theme,key_phrases\n"Smith, Jones and Co","two\nlines",x\n'
    assert read_records(data, FIELDS)[0] == {
        "name": "Smith, Jones and Co",
        "theme": "two\nlines",
        "key_phrases": "x",
    }


def test_short_rows_are_padded_with_empty_values() -> None:
    assert read_records("name,theme,key_phrases\nA\n", FIELDS) == [
        {"name": "A", "theme": "", "key_phrases": ""}
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"name,theme,key_phrases\n", "header row but no rows of data"),
        (b"name,topic\nA,b\n", "missing columns 'theme', 'key phrases': the first row has 'name', 'topic'"),
        (b"name,theme\nA,b\n", "missing column 'key phrases'"),
        (b"name,theme,key_phrases\nA,b,c\nD,e,f,g,h\n", "row 3 has 5 values but the first row names only 3"),
        (b"name,theme,key_phrases\nA,b,c\n,e,f\n", "row 3: the 'name' column is empty"),
        (b"name,theme,key_phrases\nA\x81\x8d,b,c\n", "not text a spreadsheet writes"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel file (.xls)"),
        (b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
        (b'name,theme,key_phrases\nA,"b\n', "row 2: not valid CSV"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_row_or_column(data: bytes, message: str) -> None:
    with pytest.raises(RecordsError) as error:
        read_records(data, FIELDS, non_empty=["name"])
    assert message in str(error.value)


def test_too_many_rows_are_refused() -> None:
    data = "name,theme,key_phrases\n" + "A,b,c\n" * 6
    with pytest.raises(RecordsError, match="more than 5 rows"):
        read_records(data, FIELDS, max_rows=5)


def test_optional_columns_take_the_given_spelling_when_present() -> None:
    data = "name,theme,key_phrases,URL,Notes\nA,b,c,https://a.example.org,n\n"
    (record,) = read_records(data, FIELDS, optional=["url", "contact"])
    assert record == {
        "name": "A",
        "theme": "b",
        "key_phrases": "c",
        "url": "https://a.example.org",
        "Notes": "n",
    }


def reference_rank(
    terms: list[str], records: list[dict[str, str]], fields: tuple[str, ...], limit: int
) -> list[tuple[int, list[tuple[str, str, str, float]]]]:
    """The ranking `rank` promises, worked out one record, field and part at a time."""
    found = []
    for index, record in enumerate(records):
        hits = []
        for term in clean_terms(terms):
            best: tuple[str, str, str, float] | None = None
            for field in fields:
                for part in split_values(record.get(field) or ""):
                    score = round(similarity(term, part), 1)
                    if score >= 70 and (best is None or score > best[3]):
                        best = (term, field, part, score)
            if best:
                hits.append(best)
        if hits:
            hits.sort(key=lambda h: -h[3])
            relevance = sum((h[3] / 100) ** 2 for h in hits)
            found.append((-relevance, -hits[0][3], index, hits))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    return [(index, hits) for _, _, index, hits in found[:limit]]


@pytest.mark.parametrize(
    ("sample", "fields", "terms"),
    [
        ("existing-groups.csv", FIELDS, ["Frailty Friends", "hospital dischage", "older people"]),
        ("existing-groups.csv", FIELDS, ["Home Safely", "home first", "unpaid carers", "safety"]),
        ("member-directory.csv", ("interests", "role"), ["frailty", "lean", "QI", "carer", "GP"]),
    ],
)
def test_the_vectorised_ranking_is_the_one_by_one_ranking(
    sample: str, fields: tuple[str, ...], terms: list[str]
) -> None:
    records = read_records((SAMPLE / sample).read_bytes(), ["name"])
    for limit in (3, 1000):
        got = [
            (m.index, [(h.term, h.field, h.text, h.score) for h in m.hits])
            for m in rank(terms, records, fields, limit=limit)
        ]
        assert got == reference_rank(terms, records, fields, limit)


def test_column_names_may_use_spaces_and_capitals() -> None:
    records = read_records(b"Name,Theme,Key phrases\nA,b,c\n", ["name", "theme", "key_phrases"])
    assert records == [{"name": "A", "theme": "b", "key_phrases": "c"}]
