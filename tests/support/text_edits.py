"""Writers' edits of a base of distinct words, as Hypothesis draws them, with the oracle of
what a merge of them must keep and when it must report a collision (live/merging.py)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from hypothesis import strategies as st

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Edit:
    """One writer's version of a base of distinct words w0..wn-1, word by word.

    `words[i]` is what became of base word i (() deleted, ("wi",) kept, else replaced);
    `inserts[g]` is what they put in the gap before word g (g == n: at the end)."""

    writer: str
    words: tuple[tuple[str, ...], ...]
    inserts: tuple[tuple[str, ...], ...]

    def text(self) -> str:
        out: list[str] = []
        for gap, kept in zip(self.inserts, (*self.words, ()), strict=True):
            out.extend(gap)
            out.extend(kept)
        return " ".join(out)

    def added(self) -> list[str]:
        """Every word this writer typed, in their order."""
        out: list[str] = []
        for gap, kept in zip(self.inserts, (*self.words, ()), strict=True):
            out.extend(gap)
            out.extend(w for w in kept if not w.startswith("w"))
        return out

    def touched(self) -> dict[int, tuple[str, ...]]:
        """Positions changed: 2g for an insert in gap g, 2i+1 for base word i, with their words."""
        found: dict[int, tuple[str, ...]] = {}
        for g, gap in enumerate(self.inserts):
            if gap:
                found[2 * g] = gap
        for i, kept in enumerate(self.words):
            if kept != (f"w{i}",):
                found[2 * i + 1] = kept
        return found

    def runs(self) -> list[dict[int, tuple[str, ...]]]:
        """The changes as runs of neighbouring positions (each a change a diff finds): two
        changed words with nothing typed between them are neighbours too."""
        touched = self.touched()
        runs: list[dict[int, tuple[str, ...]]] = []
        for pos in sorted(touched):
            if runs and (pos - 1 in runs[-1] or (pos % 2 == 1 and pos - 2 in runs[-1])):
                runs[-1][pos] = touched[pos]
            else:
                runs.append({pos: touched[pos]})
        return runs


def collide(one: Edit, two: Edit) -> bool:
    """The oracle: two runs share a word and differ, or an insert lands inside the other's
    change (base words changed on both sides of its gap)."""
    for a, b in itertools.product(one.runs(), two.runs()):
        if a == b:
            continue
        if any(pos % 2 == 1 and pos in b for pos in a):
            return True
        for x, y in ((a, b), (b, a)):
            if all(pos % 2 == 0 for pos in x):
                (gap,) = x
                if gap - 1 in y and gap + 1 in y:
                    return True
    return False


@st.composite
def edits(draw: st.DrawFn, n: int, writer: str, sentences: bool = False) -> Edit:
    counter = itertools.count()

    def fresh() -> tuple[str, ...]:
        size = draw(st.integers(1, 3))
        words = [f"{writer}{next(counter)}" for _ in range(size)]
        if sentences:
            words[-1] += "."
        return tuple(words)

    words = []
    for i in range(n):
        what = draw(st.sampled_from(["keep", "keep", "keep", "delete", "replace"]))
        words.append((f"w{i}",) if what == "keep" else () if what == "delete" else fresh())
    inserts = [fresh() if draw(st.integers(0, 4)) == 0 else () for _ in range(n + 1)]
    return Edit(writer, tuple(words), tuple(inserts))


def base_text(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def in_order(words: list[str], text: str) -> bool:
    found = iter(WORD.findall(text))
    return all(any(w.rstrip(".") == t for t in found) for w in words)


def kept_by_all(n: int, *writers: Edit) -> list[str]:
    return [f"w{i}" for i in range(n) if all(e.words[i] == (f"w{i}",) for e in writers)]


def close(one: Edit, two: Edit) -> bool:
    """Whether two writers changed neighbouring words (not only inserted at one place).

    Known limit: the field holds only the merged text, so the third save is merged with the
    first two as one change; where those two touched neighbouring words they read as one
    change that may then collide with the third, depending on the order."""
    for a, b in itertools.product(one.touched(), two.touched()):
        if abs(a - b) <= 2 and not (a == b and a % 2 == 0):
            return True
    return False
