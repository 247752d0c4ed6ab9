"""Fuzzy matching of search terms against CSV records (existing groups, member directory)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sigworkbook.errors import SigworkbookError

THRESHOLD = 70.0
"""Lowest score (0-100) at which a term counts as found in a record."""

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "our",
        "your",
        "we",
        "us",
    ]
)
"""Words too common to say anything about a match; left out on both sides."""

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000


class RecordsError(SigworkbookError, ValueError):
    """A CSV file that cannot be used; the message names the row or column and the problem."""


@dataclass(frozen=True)
class Hit:
    """One search term found in one record: where, in which words, and how closely (0-100)."""

    term: str
    field: str
    text: str
    score: float


@dataclass(frozen=True)
class Match:
    """A record that matched at least one term, with the terms it matched, best first."""

    index: int
    record: Mapping[str, str]
    hits: tuple[Hit, ...]

    @property
    def score(self) -> float:
        """How close the best term came, 0-100."""
        return max(hit.score for hit in self.hits)

    @property
    def relevance(self) -> float:
        """Ranking weight: close matches count most, and every further matched term adds."""
        return sum((hit.score / 100) ** 2 for hit in self.hits)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(hit.term for hit in self.hits)


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, common words left out."""
    from rapidfuzz.utils import default_process  # loaded on the first search, not with the page

    words = default_process(text).split()
    return " ".join(word for word in words if word not in STOP_WORDS)


def clean_terms(terms: Iterable[str]) -> list[str]:
    """The terms stripped, without empty ones and without repeats (ignoring case), in order."""
    seen: set[str] = set()
    result = []
    for term in terms:
        term = " ".join(term.split())
        key = normalise(term)
        if key and key not in seen:
            seen.add(key)
            result.append(term)
    return result


def split_values(text: str, separator: str = ";") -> list[str]:
    """The parts of a cell that lists several values, e.g. 'frailty; older people'."""
    return [part.strip() for part in text.split(separator) if part.strip()]


WORD_MATCH = 80.0
"""Lowest similarity (0-100) at which two words count as the same word misspelt."""


def _coverage(term_words: list[str], text_words: list[str]) -> float:
    from rapidfuzz import fuzz

    found = sum(
        1
        for word in term_words
        if any(fuzz.ratio(word, other) >= WORD_MATCH for other in text_words)
    )
    return found / len(term_words)


def similarity(term: str, text: str) -> float:
    """How well `term` is found in `text`, 0-100.

    100 when every word of the term appears in the text; small misspellings cost a little; a
    text that holds only some of the term's words scores lower the fewer of them it holds.
    """
    from rapidfuzz import fuzz

    left, right = normalise(term), normalise(text)
    if not left or not right:
        return 0.0
    overlap = float(fuzz.token_set_ratio(left, right))
    return overlap * (0.6 + 0.4 * _coverage(left.split(), right.split()))


def _best_hit(
    term: str, record: Mapping[str, str], fields: Sequence[str], separator: str
) -> Hit | None:
    best: Hit | None = None
    for field in fields:
        value = record.get(field) or ""
        for part in split_values(value, separator) if separator else [value]:
            score = similarity(term, part)
            if best is None or score > best.score:
                best = Hit(term, field, part, round(score, 1))
    return best


def rank(
    query_terms: Iterable[str],
    records: Sequence[Mapping[str, str]],
    fields: Sequence[str],
    limit: int = 10,
    *,
    threshold: float = THRESHOLD,
    separator: str = ";",
) -> list[Match]:
    """The records that best match any of the terms in any of the fields, best first.

    Each term is compared with each field (split into its `separator`-separated parts); a term
    counts when it scores at least `threshold`. Records matching more terms, more closely,
    rank higher; ties keep the records' order. At most `limit` matches are returned.
    """
    terms = clean_terms(query_terms)
    matches = []
    for index, record in enumerate(records):
        hits = [
            hit
            for term in terms
            if (hit := _best_hit(term, record, fields, separator)) is not None
            and hit.score >= threshold
        ]
        if hits:
            hits.sort(key=lambda h: -h.score)
            matches.append(Match(index, record, tuple(hits)))
    matches.sort(key=lambda m: (-m.relevance, -m.score, m.index))
    return matches[: max(limit, 0)]


# --- reading records from a CSV file --------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > MAX_BYTES:
        raise RecordsError(
            f"the file is {len(data) // 1_000_000} MB; at most {MAX_BYTES // 1_000_000} MB"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RecordsError(
            f"the file is not UTF-8 text (unreadable byte at position {error.start}): "
            "save it from your spreadsheet as 'CSV UTF-8'"
        ) from None


def _column_key(name: str) -> str:
    """A column name as matched: case, surrounding spaces and spaces versus underscores ignored
    ("Key phrases" is the column key_phrases)."""
    return "_".join(name.strip().casefold().replace("_", " ").split())


def _column_positions(header: list[str], required: Sequence[str]) -> dict[str, int]:
    names = [_column_key(name) for name in header]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name and name not in positions:
            positions[name] = index
    missing = [column for column in required if _column_key(column) not in positions]
    if missing:
        found = ", ".join(f"'{h.strip()}'" for h in header if h.strip()) or "no names"
        plural = "columns" if len(missing) > 1 else "column"
        wanted = ", ".join(f"'{column.replace('_', ' ')}'" for column in missing)
        raise RecordsError(f"missing {plural} {wanted}: the first row has {found}")
    return positions


def read_records(
    data: bytes | str,
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    non_empty: Sequence[str] = (),
    max_rows: int = MAX_ROWS,
) -> list[dict[str, str]]:
    """The rows of a CSV file with a header row, as dicts keyed by the header's column names.

    Column names are matched ignoring case, surrounding spaces and spaces versus underscores; the dicts use the names as
    given in `required` and `optional` (other columns keep their own names, stripped); an
    optional column that is missing is left out of the dicts. Blank lines are
    skipped. Raises RecordsError naming the row (the header is row 1) or column at fault.
    """
    text = _decode(data)
    if not text.strip():
        raise RecordsError("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number = 0
    try:
        header = next(reader)
        row_number = 1
        positions = _column_positions(header, required)
        names = {index: name.strip() for index, name in enumerate(header)}
        for column in [*required, *optional]:
            if _column_key(column) in positions:
                names[positions[_column_key(column)]] = column
        records: list[dict[str, str]] = []
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
                raise RecordsError(
                    f"row {row_number} has {len(row)} values but the first row names only "
                    f"{len(header)} columns (a comma inside a value needs quotes around it)"
                )
            record = {
                names[i]: (row[i].strip() if i < len(row) else "")
                for i in range(len(header))
                if names[i]
            }
            for column in non_empty:
                if not record.get(column):
                    raise RecordsError(f"row {row_number}: the '{column}' column is empty")
            records.append(record)
            if len(records) > max_rows:
                raise RecordsError(f"the file has more than {max_rows} rows")
    except csv.Error as error:
        raise RecordsError(f"row {row_number + 1}: not valid CSV ({error})") from None
    if not records:
        raise RecordsError("the file has a header row but no rows of data")
    return records
