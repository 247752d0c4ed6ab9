"""The charter's sections as the group talks them through: each a key, a title and its fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CharterSection:
    """One part of the charter the group can check its agreement on."""

    key: str
    paths: tuple[str, ...]
    """Its fields (dotted paths in the plan); a change to any of them changes the section."""
    title: str = ""
    """What people call it; empty: the label of its one field (one of the four questions)."""


QUESTIONS: tuple[CharterSection, ...] = (
    CharterSection("purpose", ("charter.purpose",)),
    CharterSection("approach", ("charter.approach",)),
    CharterSection("people", ("charter.people",)),
    CharterSection("evidence", ("charter.evidence",)),
)
"""The four questions, each a section of its own."""

OTHER_SECTIONS: tuple[CharterSection, ...] = (
    CharterSection("scope", ("charter.scope", "charter.out_of_scope"), "Scope"),
    CharterSection("members", ("charter.member_benefits", "charter.values"), "Members"),
    CharterSection(
        "membership",
        (
            "charter.membership.who_may_join",
            "charter.membership.openness",
            "charter.membership.commitment",
        ),
        "Membership",
    ),
    CharterSection(
        "rhythm",
        ("charter.rhythm", "charter.channels", "charter.learning_sharing"),
        "Rhythm and channels",
    ),
    CharterSection("resources", ("charter.resources",), "Resources"),
    CharterSection("stage", ("charter.lifecycle_stage",), "Where the group is now"),
    CharterSection("measures", ("charter.measures",), "How you will know it works"),
    CharterSection("risks", ("charter.risks",), "What could go wrong"),
    CharterSection("review", ("charter.review_date",), "Review"),
)
"""The charter's other cards, in the order the page shows them."""

CHARTER_SECTIONS: dict[str, CharterSection] = {s.key: s for s in (*QUESTIONS, *OTHER_SECTIONS)}
