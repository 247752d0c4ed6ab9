"""Names people can tell apart: two names of a person or a SIG that look the same are one name
(composed the same way, nothing invisible, no direction overrides) (issue 18, item 5)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sigworkbook.plan.people import INVISIBLE, JOINER, clean_name, name_key, same_name
from sigworkbook.plan.validation import validate_plan
from sigworkbook.ui.pages.start import sig_labels
from sigworkbook.workspace import Workspace

INVISIBLES = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c"

_letters = st.characters(codec="utf-8", categories=("L", "M", "N", "Zs", "P"))
_names = st.text(_letters, min_size=1, max_size=30).filter(lambda n: n.strip())


@st.composite
def look_alikes(draw: st.DrawFn) -> tuple[str, str]:
    """A name, and the same name as it may arrive: decomposed accents, invisible characters
    and direction overrides slipped in anywhere."""
    name = unicodedata.normalize("NFC", draw(_names))
    variant = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), name)
    chars = list(variant)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(chars)))
        chars.insert(at, draw(st.sampled_from(INVISIBLES)))
    return name, "".join(chars)


@given(look_alikes())
def test_two_names_that_look_the_same_are_one_name(pair: tuple[str, str]) -> None:
    name, look_alike = pair
    assert same_name(name, look_alike)
    assert name_key(name) == name_key(look_alike)
    stored = validate_plan(
        {"id": "probe", "identity": {"name": look_alike}, "core_group": {"people": [{}]}}
    ).identity.name
    assert same_name(stored, name)
    assert not INVISIBLE.search(stored)
    assert unicodedata.is_normalized("NFC", stored)
    if not JOINER.search(look_alike):
        assert stored == clean_name(name)


def test_joiners_stay_where_emoji_and_scripts_need_them_and_go_between_latin_letters() -> None:
    assert clean_name("Nurses 👩🏽‍⚕️") == ("Nurses 👩🏽‍⚕️")
    assert clean_name("می‌خواهم") == (
        "می‌خواهم"  # Persian needs its non-joiner
    )
    assert clean_name("Home‍Safely‌") == "HomeSafely"


@given(_names, _names)
def test_names_that_look_different_stay_different(a: str, b: str) -> None:
    shown_a = " ".join(clean_name(a).split()).casefold()
    shown_b = " ".join(clean_name(b).split()).casefold()
    assert same_name(a, b) == (
        unicodedata.normalize("NFC", shown_a) == unicodedata.normalize("NFC", shown_b)
    )


def test_a_person_in_the_core_group_is_stored_without_what_does_not_show() -> None:
    plan = validate_plan(
        {
            "id": "probe",
            "core_group": {"people": [{"name": "Maya\u202e Okafor\u200b"}]},
            "identity": {
                "name_ideas": [{"name": "Frailty\u200d Friends", "votes": ["Jose\u0301"]}]
            },
        }
    )
    assert plan.core_group.people[0].name == "Maya Okafor"
    assert plan.identity.name_ideas[0].name == "Frailty Friends"
    assert plan.identity.name_ideas[0].votes == ["José"]


def test_a_sig_named_with_a_zero_width_space_is_the_same_name(tmp_path: Path) -> None:
    with Workspace.open(tmp_path, create=True) as workspace:
        first = workspace.new_sig("Home Safely", author="Ada\u200b").plan
        second = workspace.new_sig("Home Safely\u200b", author="Ada").plan
        assert second.identity.name == "Home Safely"
        assert {c.author for c in workspace.history(first.id)} == {"Ada"}
        labels = sig_labels({first.id: first.identity.name, second.id: "Home Safely\u200b"})
        assert labels[second.id] == "Home Safely (2)"  # told apart where both are listed
