"""The browser's half of the merging text box, run by Node.js: the caret stays on the words
it was on when the kernel's write puts others' words in the box, and keys typed while that write
was on its way are typed again on it."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repo_paths import PACKAGE

SCRIPT = PACKAGE / "ui" / "merging_box.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js runs the page's script here")

RUN = """(async () => {
  const script = await import(process.argv[1]);
  const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(JSON.stringify(cases.map((args) => script[process.argv[2]](...args))));
})()"""


def run(function: str, cases: list[Any]) -> list[Any]:
    """What the script's `function` gives for each case's arguments."""
    done = subprocess.run(
        [str(NODE), "--input-type=commonjs", "-e", RUN, SCRIPT.as_uri(), function],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout))


def moved(cases: list[tuple[int, str, str]]) -> list[int]:
    """Where each offset of a text is once others' words are in it, as the script says."""
    return [int(where) for where in run("moved", cases)]


def rebased(cases: list[tuple[str, str, str]]) -> list[str | None]:
    """The keys that turned each `before` into `after`, typed again on `written`; None where
    the script leaves it to the kernel."""
    return run("rebased", cases)


def test_the_caret_stays_on_the_words_it_was_on() -> None:
    mine = "We help. Ana w"
    assert moved(
        [
            (len(mine), mine, "Ben first. " + mine),  # their words before the caret
            (2, mine, "Ben first. " + mine),
            (len(mine), mine, mine + " Ben wants"),  # after it: she goes on with her word
            (4, mine, "We help all. Ana w"),  # inside words that changed: after them
            # At the end, a space put in before it and their word after it: she stays on hers
            (len(mine), mine, "We help.  Ana w cai"),
        ]
    ) == [len("Ben first. " + mine), 2 + len("Ben first. "), len(mine), 4, len(mine) + 1]


@settings(max_examples=25, deadline=None)
@given(
    text=st.text(alphabet="ab .", max_size=12),
    cases=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=20),
)
def test_the_text_before_the_caret_is_the_same_words_plus_those_put_in_before_it(
    text: str, cases: list[tuple[int, int]]
) -> None:
    """Their words put in at one place: the caret keeps what was before it, with their words
    if they went before it, and stays inside the text."""
    theirs = "BEN"
    asked = []
    for caret, at in cases:
        caret, at = min(caret, len(text)), min(at, len(text))
        asked.append((caret, text, text[:at] + theirs + text[at:]))
    for (caret, before, after), where in zip(asked, moved(asked), strict=True):
        assert 0 <= where <= len(after)
        assert after[:where].replace(theirs, "", 1) == before[:caret] or (
            after[:where] == before[:caret]
        ), (before, caret, after, where)


def test_keys_typed_while_a_write_was_on_its_way_are_typed_again_on_it() -> None:
    sent = "We help. Ana w"
    assert rebased(
        [
            (sent, sent + "ants", "Ben first. " + sent),  # their words before hers
            (sent, sent + "ants", sent + " Ben says."),  # after: she goes on with her word
            (sent, "We help all. Ana w", "Ben first. " + sent),  # a word put in, mid-text
            (sent, "We. Ana w", "Ben first. " + sent),  # a deletion where the words still are
            (sent, "We. Ana w", "We help you. Ana w"),  # ... beside a space put in
            (sent, "We. Ana w", "We helped. Ana w"),  # ... in a word they changed
            ("", "ana", "ben"),  # her word would glue onto theirs
        ]
    ) == [
        "Ben first. We help. Ana wants",
        "We help. Ana wants Ben says.",
        "Ben first. We help all. Ana w",
        "Ben first. We. Ana w",
        "We you. Ana w",
        None,
        None,
    ]


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(st.sampled_from(["we", "help", "people", "home", "."]), max_size=6),
    cases=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=10),
)
def test_keys_typed_again_keep_their_words_and_the_writes(
    words: list[str], cases: list[tuple[int, int]]
) -> None:
    """Her words typed at one place, theirs written at another: both are kept, once each, and
    taking hers away again gives the write. At the same place the kernel merges them."""
    asked, same_place = [], []
    for mine_at, theirs_at in cases:
        mine_at, theirs_at = min(mine_at, len(words)), min(theirs_at, len(words))
        sent = " ".join(words)
        typed = " ".join([*words[:mine_at], "ana", *words[mine_at:]])
        written = " ".join([*words[:theirs_at], "ben", *words[theirs_at:]])
        asked.append((sent, typed, written))
        same_place.append(mine_at == theirs_at)
    for (_, typed, written), mine, same in zip(asked, rebased(asked), same_place, strict=True):
        if mine is None:
            assert same, (typed, written)
            continue
        assert mine.split().count("ana") == 1 and mine.split().count("ben") == 1, (typed, mine)
        assert " ".join(mine.replace("ana", "", 1).split()) == " ".join(written.split())
