"""The browser's half of the merging text box, run by Node.js: the caret stays on the words
it was on when the kernel's write puts others' words in the box."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repo_paths import PACKAGE

SCRIPT = PACKAGE / "ui" / "merging_box.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js runs the page's script here")

RUN = """(async () => {
  const { moved } = await import(process.argv[1]);
  const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(JSON.stringify(cases.map((args) => moved(...args))));
})()"""


def moved(cases: list[tuple[int, str, str]]) -> list[int]:
    """Where each offset of a text is once others' words are in it, as the script says."""
    done = subprocess.run(
        [str(NODE), "--input-type=commonjs", "-e", RUN, SCRIPT.as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout))


def test_the_caret_stays_on_the_words_it_was_on() -> None:
    mine = "We help. Ana w"
    assert moved(
        [
            (len(mine), mine, "Ben first. " + mine),  # their words before the caret
            (2, mine, "Ben first. " + mine),
            (len(mine), mine, mine + " Ben wants"),  # after it: she goes on with her word
            (4, mine, "We help all. Ana w"),  # inside words that changed: after them
        ]
    ) == [len("Ben first. " + mine), 2 + len("Ben first. "), len(mine), 4]


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
