"""The kernel's half of the merging text box: a text typed on an older write loses no word."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from kernel_typing import box_receives as sends

from sigworkbook.ui.merging_box import KEPT_WRITES, MergingBox

WORDS = st.lists(st.sampled_from(["we", "help", "people", "home", "soon", "."]), max_size=8)


def inserted(words: list[str], at: int, new: list[str]) -> str:
    return " ".join([*words[:at], *new, *words[at:]])


def test_a_text_typed_on_the_latest_write_is_taken_as_it_is() -> None:
    box = MergingBox(value="We help people get home.")
    told: list[str] = []
    box.on_typed(told.append)
    sends(box, "We help get home.", box.rev)  # a deletion, typed on what the box showed
    assert (box.value, box.rev, told) == ("We help get home.", 0, ["We help get home."])


@given(
    base=WORDS,
    theirs_at=st.integers(0, 8),
    mine_at=st.integers(0, 8),
    theirs=st.lists(st.sampled_from(["ben1", "ben2", "ben3"]), min_size=1, max_size=3),
    mine=st.lists(st.sampled_from(["ana1", "ana2", "ana3"]), min_size=1, max_size=3),
)
def test_a_text_typed_on_an_older_write_keeps_the_words_the_kernel_put_in(
    base: list[str], theirs_at: int, mine_at: int, theirs: list[str], mine: list[str]
) -> None:
    theirs_at, mine_at = min(theirs_at, len(base)), min(mine_at, len(base))
    box = MergingBox(value=" ".join(base))
    told: list[str] = []
    box.on_typed(told.append)
    old = box.rev
    sends(box, " ".join(base), old)
    box.put(inserted(base, theirs_at, theirs))  # others' words, before the keys arrived
    assert box.ack == box.seq, "the write says which of the browser's texts it holds"
    sends(box, inserted(base, mine_at, mine), old)  # keys typed on the old text
    words = box.value.split()
    for word in [*theirs, *mine]:
        assert words.count(word) == [*theirs, *mine].count(word), (word, box.value)
    assert box.rev == old + 2, "the merged text went back to the browser"
    assert told[-1] == box.value


def test_each_text_of_a_run_typed_on_one_older_write_is_merged_once() -> None:
    box = MergingBox(value="We help.")
    old = box.rev
    sends(box, "We help. Ana", old)
    box.put("Ben says. We help. Ana")
    for text in ("We help. Ana wants", "We help. Ana wants more", "We help. Ana wants more."):
        sends(box, text, old)  # the browser has not had the kernel's write yet
    assert box.value == "Ben says. We help. Ana wants more."
    sends(box, "Ben says. We help. Ana wants more!", box.rev)  # typed on the merged text
    assert box.value == "Ben says. We help. Ana wants more!"


def test_a_text_typed_on_a_write_long_forgotten_is_merged_on_the_oldest_kept() -> None:
    box = MergingBox(value="start")
    for n in range(KEPT_WRITES + 5):
        box.put(f"start w{n}")
    sends(box, "start ana", 0)  # written 0 is forgotten: merged on the oldest kept
    assert sorted(box.value.split()) == sorted(["start", "ana", f"w{KEPT_WRITES + 4}"])


def test_kernel_code_setting_the_value_is_taken_as_typed_on_the_latest() -> None:
    box = MergingBox(value="We help.")
    told: list[str] = []
    box.on_typed(told.append)
    box.value = "We help. Ana"
    assert told == ["We help. Ana"]
    box.put("We help. Ana. Ben")
    assert told == ["We help. Ana"], "the kernel's own writes are not typing"


def test_keys_on_a_word_whose_spaces_the_kernel_changed_are_not_a_collision() -> None:
    """The kernel's merge put a second space before Ana's half-typed word (someone typed a
    space there); her next key, typed on the old text, extends the word: once, not twice."""
    box = MergingBox(value="We help people get home.")
    old = box.rev
    sends(box, "We help people get home. an", old)
    box.put("We help people get home.  an")
    sends(box, "We help people get home. ana", old)
    assert box.value == "We help people get home.  ana"


def test_a_text_typed_on_the_scripts_keys_typed_again_is_merged_on_that_text() -> None:
    """Ana's "w" was on its way when the kernel wrote Ben's words; her script typed the "w"
    again on that write and sent what she typed next with that text: no key twice."""
    box = MergingBox(value="We help.")
    sends(box, "We help. Ana", 0, base_seq=0)
    box.put("Ben says. We help. Ana")  # holds her text 1
    written, acked = box.rev, box.ack
    sends(box, "We help. Ana w", 0, base_seq=0)  # on its way while the write was
    again = "Ben says. We help. Ana w"  # the script's: her "w" typed again on the write
    assert acked == 1 and box.seq == 2
    sends(box, again + "a", written, base_seq=2, base_text=again)
    sends(box, again + "an", written, base_seq=2, base_text=again)
    assert box.value == "Ben says. We help. Ana wan"


def test_a_text_sent_again_is_not_typing_again() -> None:
    """The script sends its text again when the kernel has not said it has it: the person's
    text is told once."""
    box = MergingBox(value="We help.")
    told: list[str] = []
    box.on_typed(told.append)
    sends(box, "We help. Ana", 0, base_seq=0)
    sends(box, "We help. Ana", 0, base_seq=0)
    assert (told, box.seq) == (["We help. Ana"], 2)


def test_a_text_whose_keys_the_kernel_has_merged_already_leaves_the_box_as_it_is() -> None:
    """A text sent again (or keys on their way that the kernel merged already) after others'
    words were put in: the box keeps their words, and the person's text read from it has them
    (the field's saves and merges read it)."""
    box = MergingBox(value="We help.")
    told: list[str] = []
    box.on_typed(told.append)
    sends(box, "We help. Ana", 0, base_seq=0)
    box.put("We help. Ana Ben")  # others' words, written before the text came again
    sends(box, "We help. Ana", 0, base_seq=0)
    assert (box.value, told, box.seq) == ("We help. Ana Ben", ["We help. Ana"], 2)
