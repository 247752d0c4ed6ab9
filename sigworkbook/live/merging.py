"""Several people's edits to one text merged on their common base: every writer's words kept."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])|\s+")
"""A text as words and single marks, each with the spaces before it (and the spaces at the
end): the units a merge keeps or changes. Each word owns the space before it, so that deleting
a word never touches its neighbours."""

ENDS_SENTENCE = frozenset(".!?")

MINE, THEIRS, BOTH = 1, 2, 3


@dataclass(frozen=True)
class Hunk:
    """One change to the base: its tokens [start, end) replaced by `words` (an insert when
    start == end), made by MINE, THEIRS or BOTH (the same change on both sides)."""

    start: int
    end: int
    words: tuple[str, ...]
    side: int


@dataclass(frozen=True)
class Collision:
    """The same words changed differently by two people: the base's words, and each version."""

    base: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class Merged:
    """The merge of two versions of a text made from one base.

    `text` keeps every person's words; where they collide (`collisions`) it keeps both, theirs
    then mine. `keep_mine` and `keep_theirs` settle the collisions one way or the other (the
    rest of the merge is the same)."""

    text: str
    collisions: tuple[Collision, ...]
    keep_mine: str
    keep_theirs: str


def tokens(text: str) -> list[str]:
    """`text` as tokens, after one space put in front (so the first word has one too)."""
    return TOKEN.findall(" " + text) if text else []


def _tokens_on(base: str, text: str) -> list[str]:
    """`text` as tokens; where it goes on from the whole of a `base` that ends with spaces,
    those spaces stay a token of their own and what follows is added after them (so that two
    people typing on after them do not both change them)."""
    if base[-1:].isspace() and text.startswith(base):
        return tokens(base) + TOKEN.findall(text[len(base) :])
    return tokens(text)


def _differ() -> diff_match_patch:
    """diff-match-patch with no time limit: the same texts always give the same diff."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    return dmp


def _diff(base: list[str], other: list[str], side: int) -> list[Hunk]:
    """`other`'s changes to `base`, as hunks: a minimal diff over words (Myers, no time limit,
    so that the same texts always give the same hunks)."""
    codes: dict[str, str] = {}

    def encode(items: list[str]) -> str:
        return "".join(codes.setdefault(t, chr(0xF0000 + len(codes))) for t in items)

    a, b = encode(base), encode(other)
    dmp = _differ()
    hunks: list[Hunk] = []
    i = j = 0
    start: int | None = None
    added: list[str] = []
    for op, chunk in dmp.diff_main(a, b, False):
        n = len(chunk)
        if op == 0:
            if start is not None:
                hunks.append(Hunk(start, i, tuple(added), side))
                start, added = None, []
            i += n
            j += n
            continue
        if start is None:
            start = i
        if op == -1:
            i += n
        else:
            added.extend(other[j : j + n])
            j += n
    if start is not None:
        hunks.append(Hunk(start, i, tuple(added), side))
    return _slid(base, hunks)


def _slid(base: list[str], hunks: list[Hunk]) -> list[Hunk]:
    """Each pure insert or delete moved as far right as it goes unchanged: 'w1 ' deleted
    rather than ' w1', so that changes sit on words the same way whichever diff found them;
    a change that then touches the next one of the same person joins it."""
    out: list[Hunk] = []
    for n, hunk in enumerate(hunks):
        limit = hunks[n + 1].start if n + 1 < len(hunks) else len(base)
        start, end, words = hunk.start, hunk.end, list(hunk.words)
        if start == end and words:  # an insert
            while start < limit and base[start] == words[0]:
                words = [*words[1:], words[0]]
                start += 1
            end = start
        elif not words:  # a delete
            while end < limit and base[end] == base[start]:
                start += 1
                end += 1
        moved = Hunk(start, end, tuple(words), hunk.side)
        if out and out[-1].end == moved.start:
            last = out.pop()
            moved = Hunk(last.start, moved.end, last.words + moved.words, hunk.side)
        out.append(moved)
    return out


def _overlap(one: Hunk, two: Hunk) -> bool:
    """Whether two changes touch the same words: share a word of the base, or one inserts
    inside the words the other replaces. Two inserts at one place do not collide."""
    if one.start < one.end and two.start < two.end:
        return max(one.start, two.start) < min(one.end, two.end)
    if one.start == one.end and two.start == two.end:
        return False
    insert, span = (one, two) if one.start == one.end else (two, one)
    return span.start < insert.start < span.end


def _sentences(words: Sequence[str]) -> list[str]:
    """An insert cut after each sentence (the spaces before a sentence go with it)."""
    units: list[str] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        if word.strip() in ENDS_SENTENCE:
            units.append("".join(current))
            current = []
    if current:
        units.append("".join(current))
    return units


def _join(left: str, right: str) -> str:
    """Two people's words put one after the other, with a space between unless there is one."""
    if not left or not right or left[-1].isspace() or right[0].isspace():
        return left + right
    return f"{left} {right}"


def _stack(inserts: list[Hunk], continuing: bool) -> str:
    """Inserts made at one place by different people, sentence by sentence in one order that
    does not depend on whose save came first: always the sentence first in alphabetical order
    of those at the front of each insert (each insert's own sentences stay in its order).
    Where the text before them is `continuing` (a sentence not ended), an insert that does not
    begin a sentence (no capital first) goes first: it is the end of that sentence."""
    queues = [_sentences(h.words) for h in inserts]
    out = ""
    last = -1
    while any(queues):
        first = continuing and not out
        pick = min(
            (i for i, q in enumerate(queues) if q), key=lambda i: _stack_order(queues[i][0], first)
        )
        unit = queues[pick].pop(0)
        out = _join(out, unit) if last not in (-1, pick) else out + unit
        last = pick
    return out


def _stack_order(unit: str, continuing: bool) -> tuple[bool, str, str]:
    """Where a sentence goes among those put in at one place: one that ends the sentence
    before them first (when `continuing` it, and it does not begin with a capital)."""
    front = unit.strip()
    return (not (continuing and not front[:1].isupper()), front, unit)


def merge(base: str, mine: str, theirs: str) -> Merged:
    """Merge `mine` and `theirs`, two versions of `base`: each person's changes applied to it.

    Changes at different places are all kept; the same change made by both is kept once;
    inserts at one place are put one after the other in an order that does not depend on which
    version is whose. Only two changes to the same words, made differently, collide.
    """
    if mine == theirs:
        return Merged(mine, (), mine, mine)
    if theirs == base:
        return Merged(mine, (), mine, mine)
    if mine == base:
        return Merged(theirs, (), theirs, theirs)
    words = tokens(base)
    ours = _diff(words, _tokens_on(base, mine), MINE)
    others = _diff(words, _tokens_on(base, theirs), THEIRS)
    same = set((h.start, h.end, h.words) for h in ours) & set(
        (h.start, h.end, h.words) for h in others
    )
    hunks = [Hunk(*key, BOTH) for key in sorted(same)] + [
        h for h in ours + others if (h.start, h.end, h.words) not in same
    ]
    hunks.sort(key=lambda h: (h.start, h.end))
    # Changes that collide, grouped with everything they overlap (by either side).
    groups: list[list[Hunk]] = []
    for hunk in hunks:
        joined = [g for g in groups if any(_overlap(hunk, h) and h.side != hunk.side for h in g)]
        merged_group = [hunk] + [h for g in joined for h in g]
        groups = [g for g in groups if g not in joined] + [merged_group]
    pieces: list[tuple[int, int, str, str, str, Collision | None]] = []
    inserts: dict[int, list[Hunk]] = {}
    for group in groups:
        start = min(h.start for h in group)
        end = max(h.end for h in group)
        if len(group) == 1 and start == end:
            inserts.setdefault(start, []).append(group[0])
            continue
        if len(group) == 1:
            text = "".join(group[0].words)
            pieces.append((start, end, text, text, text, None))
            continue

        ours_text = _version(words, group, start, end, MINE)
        theirs_text = _version(words, group, start, end, THEIRS)
        both = (
            _join(theirs_text, ours_text) if ours_text and theirs_text else theirs_text + ours_text
        )
        found = Collision("".join(words[start:end]), ours_text, theirs_text)
        pieces.append((start, end, both, ours_text, theirs_text, found))
    for at, stacked in inserts.items():
        before = "".join(words[:at]).rstrip()
        text = _stack(stacked, bool(before) and before[-1] not in ENDS_SENTENCE)
        pieces.append((at, at, text, text, text, None))
    # Inserts before replacements starting at the same place, then in order of the base.
    pieces.sort(key=lambda p: (p[0], p[1] > p[0], p[1]))
    out = ["", "", ""]
    at = 0
    for start, end, *texts, _ in pieces:
        between = "".join(words[at:start])
        for k in range(3):
            # Two people's changes side by side, with none of the base between: never one word.
            out[k] = out[k] + between + texts[k] if between else _join(out[k], texts[k])
        at = max(at, end)
    rest = "".join(words[at:])
    found_all = tuple(p[5] for p in pieces if p[5] is not None)
    text, keep_mine, keep_theirs = (_unpadded(o + rest) for o in out)
    return Merged(text, tuple(map(_trimmed, found_all)), keep_mine, keep_theirs)


def _version(words: list[str], group: list[Hunk], start: int, end: int, side: int) -> str:
    """The base's tokens [start, end) with one side's changes in them."""
    out: list[str] = []
    at = start
    for h in sorted((h for h in group if h.side & side), key=lambda h: (h.start, h.end)):
        out.extend(words[at : h.start])
        out.extend(h.words)
        at = h.end
    out.extend(words[at:end])
    return "".join(out)


def _unpadded(text: str) -> str:
    """Without the space `tokens` put in front."""
    return text[1:] if text.startswith(" ") else text


def _trimmed(found: Collision) -> Collision:
    return Collision(found.base.strip(), found.mine.strip(), found.theirs.strip())


def only_adds(one: str, two: str) -> bool:
    """Whether `two` keeps every word of `one`, in order (words were only added)."""
    return all(h.start == h.end for h in _diff(tokens(one), tokens(two), MINE))


def replayed(base: str, typed: str, current: str) -> str:
    """The keys that made `typed` out of `base`, made again on `current` (a newer text that
    holds `base` and others' words), character by character; a merge over words where they do
    not fit or would make a word nobody typed.

    For one person's own keys on their way (a few characters): over words, a key that changes
    a word another's merge touched (its spaces, say) would be a collision, and both kept. A
    key goes right after the character it was typed after, so a word being typed stays whole
    even where others' words came in just after it."""
    dmp = _differ()
    after = _places_after(dmp.diff_main(base, current, False), len(base))
    made = current
    at = len(base)
    edits = dmp.diff_main(base, typed, False)
    for op, chunk in reversed(edits):  # from the end: earlier places stay where they are
        if op == 0:
            at -= len(chunk)
        elif op == 1:
            made = made[: after[at]] + chunk + made[after[at] :]
        else:
            at -= len(chunk)
            start, end = after[at], after[at + len(chunk)]
            if made[start:end] != chunk:
                return merge(base, typed, current).text  # others changed what was deleted
            made = made[:start] + made[end:]
    words = set(_WORD.findall(typed)) | set(_WORD.findall(current))
    if set(_WORD.findall(made)) <= words:
        return made
    return merge(base, typed, current).text  # or the keys would glue onto another's word


def _places_after(diffs: list[tuple[int, str]], length: int) -> list[int]:
    """For each offset of the old text of `diffs` (0 to `length`), the offset in the new text
    right after the old character before it (0 for the start; where a deleted one was)."""
    places = [0] * (length + 1)
    old = new = 0
    for op, chunk in diffs:
        if op == 0:
            for k in range(len(chunk)):
                places[old + k + 1] = new + k + 1
            old += len(chunk)
            new += len(chunk)
        elif op == -1:
            for k in range(len(chunk)):
                places[old + k + 1] = new
            old += len(chunk)
        else:
            new += len(chunk)
    return places


_WORD = re.compile(r"\w+")
