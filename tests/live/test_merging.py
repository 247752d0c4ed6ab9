"""Merging two or three people's edits of one text (live/merging.py): every word kept, in order,
none twice, the same whichever save came first, and a collision exactly when words collide."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from text_edits import WORD, Edit, base_text, close, collide, edits, in_order, kept_by_all

from sigworkbook.live.merging import merge, replayed


@st.composite
def two_writers(draw: st.DrawFn) -> tuple[int, Edit, Edit]:
    n = draw(st.integers(0, 8))
    return n, draw(edits(n, "a")), draw(edits(n, "b"))


@given(two_writers())
def test_two_writers_keep_every_word_once_and_collide_exactly_when_words_do(
    drawn: tuple[int, Edit, Edit],
) -> None:
    n, a, b = drawn
    base = base_text(n)
    merged = merge(base, a.text(), b.text())
    other_way = merge(base, b.text(), a.text())

    assert bool(merged.collisions) == collide(a, b), (a.text(), b.text(), merged)
    assert bool(other_way.collisions) == bool(merged.collisions)
    for writer in (a, b):
        assert in_order(writer.added(), merged.text), (writer.writer, merged.text)
    words = WORD.findall(merged.text)
    for word in kept_by_all(n, a, b):
        assert words.count(word) == 1, (word, merged.text)
    if not merged.collisions:
        assert merged.text == other_way.text, "the order of the saves changed the text"
        assert merged.keep_mine == merged.keep_theirs == merged.text
    else:
        # Keep mine and keep theirs each hold that person's version of every collision.
        for found in merged.collisions:
            assert found.mine in merged.keep_mine and found.theirs in merged.keep_theirs


@st.composite
def three_writers(draw: st.DrawFn) -> tuple[int, list[Edit]]:
    n = draw(st.integers(0, 6))
    return n, [draw(edits(n, w, sentences=True)) for w in "abc"]


@given(three_writers())
def test_three_writers_saving_in_any_order_give_one_text_with_every_sentence(
    drawn: tuple[int, list[Edit]],
) -> None:
    """Each saves from the same base (none saw the others' words yet): the field ends the
    same whichever order the saves came in, with every writer's words in their order."""
    n, writers = drawn
    if any(close(x, y) for x, y in itertools.combinations(writers, 2)):
        return  # merged two at a time, neighbouring changes may meet as one: see close()
    base = base_text(n)
    results = set()
    for order in itertools.permutations(writers):
        field = base
        for writer in order:
            field = merge(base, writer.text(), field).text
        results.add(field)
        for writer in writers:
            assert in_order(writer.added(), field), (writer.writer, field)
        words = WORD.findall(field)
        for word in kept_by_all(n, *writers):
            assert words.count(word) == 1, (word, field)
    assert len(results) == 1, results


def test_sentences_typed_at_the_end_by_two_people_are_both_kept() -> None:
    base = "We help people get home."
    mine = base + " Siobhan writes this."
    theirs = base + " Dev adds that."
    merged = merge(base, mine, theirs)
    assert merged.text == "We help people get home. Dev adds that. Siobhan writes this."
    assert merged.text == merge(base, theirs, mine).text
    assert merge("", "Ana types.", "Ben types.").text == "Ana types. Ben types."


def test_the_same_words_changed_two_ways_collide_and_keep_both_puts_theirs_first() -> None:
    merged = merge("We meet monthly.", "We meet weekly.", "We meet fortnightly.")
    assert [(c.base, c.mine, c.theirs) for c in merged.collisions] == [
        ("monthly", "weekly", "fortnightly")
    ]
    assert merged.text == "We meet fortnightly weekly."
    assert merged.keep_mine == "We meet weekly."
    assert merged.keep_theirs == "We meet fortnightly."


def test_the_same_change_made_by_both_is_kept_once() -> None:
    merged = merge("a b c", "a c", "a c d")
    assert (merged.text, merged.collisions) == ("a c d", ())


TEXT = st.text(st.sampled_from(list("ab .,\n")) | st.characters(codec="utf-8"), max_size=30)


@given(TEXT, TEXT, TEXT)
def test_any_texts_merge_the_same_both_ways_and_one_side_unchanged_gives_the_other(
    base: str, mine: str, theirs: str
) -> None:
    merged = merge(base, mine, theirs)
    if not merged.collisions:
        assert merged.text == merge(base, theirs, mine).text
    assert merge(base, mine, base).text == mine
    assert merge(base, base, theirs).text == theirs
    assert merge(base, mine, mine).text == mine


GROWING = st.lists(
    st.sampled_from([" ana01", " ben02", "ana03", " ", "  ", "b", " cai04"]), max_size=4
).map("".join)
"""What one writer adds at the end of a text as they type: words, half-words and spaces."""


@settings(max_examples=400)
@given(
    base=st.sampled_from(["", "We help.", "We help. ", "We help. x01", "We help. x01 ", "We be"]),
    mine=GROWING,
    theirs=GROWING,
    trim_theirs=st.booleans(),
)
def test_two_people_typing_at_the_end_never_make_a_word_neither_typed(
    base: str, mine: str, theirs: str, trim_theirs: bool
) -> None:
    """Both type on at the end of a field (one may first take its last spaces away): every
    word of the merge is a word of the base or of one of them; none is two glued together."""
    theirs_text = (base.rstrip() if trim_theirs else base) + theirs
    merged = merge(base, base + mine, theirs_text)
    if merged.collisions:
        return
    typed = set(re.findall(r"\w+", base + " " + base + mine + " " + theirs_text))
    assert set(re.findall(r"\w+", merged.text)) <= typed, merged.text


def test_keys_on_their_way_go_right_after_what_they_were_typed_after() -> None:
    """One person's keys made again on a newer text: after the characters they followed, even
    where others' words came in just after those; a deletion only of what is still there."""
    assert replayed("X ana01", "X ana012", "X ana01 ben003") == "X ana012 ben003"
    assert replayed("Ana adds this.", "Ana adds this, and more.", "Ana adds this. Ben too.") == (
        "Ana adds this, and more. Ben too."
    )
    assert replayed("a b c", "a c", "a b x c") == "a x c"
    assert replayed("", "ana1", "ben1") == "ana1 ben1"  # never glued: merged over words
