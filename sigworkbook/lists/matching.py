"""Fuzzy matching of search terms against the records of a list (existing groups, member directory)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigworkbook.lists.reading import MAX_BYTES, MAX_ROWS, RecordsError, read_records

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


def where_found(hit: Hit) -> str:
    """Where a term was found, truthfully: the words that are there, in which field, and the
    term searched for when those words are not the same as it."""
    field = hit.field.replace("_", " ")
    found = f"“{hit.text}” in {field}"
    return (
        found if normalise(hit.text) == normalise(hit.term) else f"{found} (close to “{hit.term}”)"
    )


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


@dataclass(frozen=True)
class Found:
    """The best matches of a search, best first, and how many records matched in all."""

    matches: list[Match]
    total: int


class SearchIndex:
    """Records prepared for searching: every value of the searched fields normalised once.

    Values are split into their `separator`-separated parts; each distinct normalised part is
    kept once (a directory of 20,000 people has a few hundred distinct interests), with the ids
    of its words, so that a search scores every distinct part against every term in one call
    of rapidfuzz's `process.cdist` rather than in a Python loop.
    """

    def __init__(
        self, records: Sequence[Mapping[str, str]], fields: Sequence[str], separator: str = ";"
    ) -> None:
        import numpy as np  # with rapidfuzz, on the first search, not with the page

        self.records = records
        self.fields = tuple(fields)
        text_ids: dict[str, int] = {}
        normalised: dict[str, str] = {}
        entry_record: list[int] = []
        entry_field: list[int] = []
        entry_text: list[int] = []
        self.entry_part: list[str] = []
        for index, record in enumerate(records):
            for field_number, field in enumerate(self.fields):
                value = record.get(field) or ""
                for part in split_values(value, separator) if separator else [value]:
                    norm = normalised.get(part)
                    if norm is None:
                        norm = normalised[part] = normalise(part)
                    if not norm:
                        continue
                    entry_record.append(index)
                    entry_field.append(field_number)
                    entry_text.append(text_ids.setdefault(norm, len(text_ids)))
                    self.entry_part.append(part)
        self.texts = list(text_ids)
        word_ids: dict[str, int] = {}
        flat: list[int] = []
        starts: list[int] = []
        for text in self.texts:
            starts.append(len(flat))
            flat.extend(word_ids.setdefault(word, len(word_ids)) for word in text.split())
        self.words = list(word_ids)
        self.flat_words = np.array(flat, dtype=np.int64)
        self.text_starts = np.array(starts, dtype=np.int64)
        self.entry_record = np.array(entry_record, dtype=np.int64)
        self.entry_field = np.array(entry_field, dtype=np.int64)
        self.entry_text = np.array(entry_text, dtype=np.int64)

    def _scores(self, term: str) -> Any:
        """similarity(term, text) for every distinct text, as an array (same numbers)."""
        import numpy as np
        from rapidfuzz import fuzz, process

        overlap = process.cdist(
            [term], self.texts, scorer=fuzz.token_set_ratio, processor=None, dtype=np.float64
        )[0]
        term_words = term.split()
        same = (
            process.cdist(
                term_words, self.words, scorer=fuzz.ratio, processor=None, dtype=np.float64
            )
            >= WORD_MATCH
        )
        found = np.zeros(len(self.texts), dtype=np.float64)
        for row in same:
            found += np.logical_or.reduceat(row[self.flat_words], self.text_starts)
        coverage = found / len(term_words)
        return overlap * (0.6 + 0.4 * coverage)

    def find(
        self, query_terms: Iterable[str], limit: int = 10, *, threshold: float = THRESHOLD
    ) -> Found:
        """The `limit` records that best match any of the terms, best first, and how many
        match in all (see `rank` for the order). Only the records returned become objects: the
        best hit of each term in each record, and the ranking, are worked out in arrays."""
        import numpy as np

        terms = clean_terms(query_terms)
        if not terms or not self.texts:
            return Found([], 0)
        shape = (len(self.records), len(terms))
        best_score = np.zeros(shape, dtype=np.float64)
        best_entry = np.full(shape, -1, dtype=np.int64)
        for column, term in enumerate(terms):
            text_scores = self._scores(normalise(term))
            # Scores as a Hit holds them (rounded to 0.1, which lifts one by at most 0.05).
            rounded = np.full(len(self.texts), np.nan)
            for text in np.nonzero(text_scores >= threshold - 0.05)[0].tolist():
                rounded[text] = round(float(text_scores[text]), 1)
            entry_scores = rounded[self.entry_text]
            entries = np.nonzero(entry_scores >= threshold)[0]
            if not len(entries):
                continue
            records, scores = self.entry_record[entries], entry_scores[entries]
            # Each record's best entry for this term: the highest score, the first one on ties.
            order = np.lexsort((entries, -scores, records))
            firsts = np.unique(records[order], return_index=True)[1]
            chosen = entries[order][firsts]
            best_score[self.entry_record[chosen], column] = entry_scores[chosen]
            best_entry[self.entry_record[chosen], column] = chosen
        found = best_entry >= 0
        matched = np.nonzero(found.any(axis=1))[0]
        if not len(matched):
            return Found([], 0)
        hit = found[matched]
        scores = best_score[matched]
        # Match.relevance, summed in its order (best hit first) so that ties stay ties.
        squares = -np.sort(-np.where(hit, (scores / 100) ** 2, 0.0), axis=1)
        relevance = np.zeros(len(matched), dtype=np.float64)
        for column in squares.T:
            relevance = relevance + column
        top = np.where(hit, scores, -np.inf).max(axis=1)
        ranked = matched[np.lexsort((matched, -top, -relevance))][: max(limit, 0)]
        matches = []
        for index in ranked.tolist():
            hits = [
                Hit(
                    term,
                    self.fields[int(self.entry_field[entry])],
                    self.entry_part[entry],
                    float(best_score[index, column]),
                )
                for column, term in enumerate(terms)
                if (entry := int(best_entry[index, column])) >= 0
            ]
            hits.sort(key=lambda h: -h.score)
            matches.append(Match(index, self.records[index], tuple(hits)))
        return Found(matches, len(matched))

    def search(
        self, query_terms: Iterable[str], limit: int = 10, *, threshold: float = THRESHOLD
    ) -> list[Match]:
        """The records that best match any of the terms, best first (see `rank`)."""
        return self.find(query_terms, limit, threshold=threshold).matches


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
    rank higher; ties keep the records' order. At most `limit` matches are returned. To search
    the same records again, build a SearchIndex once and call its `search`.
    """
    return SearchIndex(records, fields, separator).search(query_terms, limit, threshold=threshold)


__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "Found",
    "Hit",
    "Match",
    "RecordsError",
    "SearchIndex",
    "clean_terms",
    "normalise",
    "rank",
    "read_records",
    "similarity",
    "split_values",
    "where_found",
]
