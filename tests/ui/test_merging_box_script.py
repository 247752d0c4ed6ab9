"""The browser's half of the merging text box, run by Node.js: the keys typed since a kernel
write was made are put back onto it, and nobody's words are lost or doubled."""

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

RUN = """
const { replay, moved } = await import(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(cases.map(([fn, ...args]) => (fn === "replay" ? replay : moved)(...args))));
"""


def run(cases: list[list[object]]) -> list[object]:
    """Each case ["replay" or "moved", arguments...] as the page's script answers it."""
    done = subprocess.run(
        [str(NODE), "--input-type=commonjs", "-e", f"(async () => {{{RUN}}})()", SCRIPT.as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout))


def test_keys_typed_since_a_write_are_put_back_onto_it() -> None:
    base = "We help people get home."
    assert run(
        [
            # Ben's words came in after Ana's keys; then before them; then at her caret.
            ["replay", base, base + " Ana w", base + " Ben wants"],
            ["replay", base + " Ana", base + " Ana wants", "Ben first. " + base + " Ana"],
            ["replay", base + " Ana", base + " Ana wants", base + " Ana Ben wants"],
            # She deleted words next to the one Ben put in; then both began an empty field.
            ["replay", base, "We help.", "We help all people get home."],
            ["replay", "", "Ana", "Ben"],
            # Ben changed the very words she replaced: not clear where her change goes.
            ["replay", base, "We help them get home.", "We help folk get home."],
        ]
    ) == [
        base + " Ana w Ben wants",
        "Ben first. " + base + " Ana wants",
        base + " Ana wants Ben wants",
        "We help all.",
        "Ana Ben",
        None,
    ]


def test_the_caret_stays_on_the_words_it_was_on() -> None:
    before = "We help. Ana w"
    after = "Ben first. We help. Ana w"
    assert run([["moved", len(before), before, after], ["moved", 2, before, after]]) == [
        len(after),
        2 + len("Ben first. "),
    ]


PHRASE = st.lists(st.sampled_from(["aa", "bb", "cc", "dd"]), min_size=1, max_size=3)


@settings(max_examples=40, deadline=None)
@given(
    base=st.lists(st.sampled_from(["we", "help", "people", "."]), max_size=6),
    cases=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), PHRASE), min_size=1),
)
def test_nobodys_words_are_lost_or_doubled(
    base: list[str], cases: list[tuple[int, int, list[str]]]
) -> None:
    """Ana typed `mine` at one place, the kernel's write has Ben's words at another: the
    result, when the script places her keys, is the write with her keys, each word once."""
    asked, wanted = [], []
    for mine_at, theirs_at, mine in cases:
        mine_at, theirs_at = min(mine_at, len(base)), min(theirs_at, len(base))
        theirs = ["BEN"]
        local = " ".join([*base[:mine_at], *mine, *base[mine_at:]])
        written = " ".join([*base[:theirs_at], *theirs, *base[theirs_at:]])
        asked.append(["replay", " ".join(base), local, written])
        wanted.append((set(mine), written, local))
    for result, (mine_words, written, local) in zip(run(asked), wanted, strict=True):
        if result is None:
            continue  # sent typed on the older write; the kernel merges it (test_merging_box)
        assert isinstance(result, str)
        words = result.split()
        assert [w for w in words if w != "BEN"] == local.split(), (result, local)
        assert [w for w in words if w not in mine_words] == written.split(), (result, written)
