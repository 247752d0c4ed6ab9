"""Questions left open without being a gap: whose network membership nobody has answered."""

from __future__ import annotations

from sigworkbook.plan.blank import filled
from sigworkbook.plan.model import Plan


def membership_unanswered(plan: Plan) -> list[str]:
    """The core group people (by name, or 'Person N' counted from 1) whose 'Network member' is
    neither yes nor no yet; blank rows are nobody."""
    kept = {person.id for person in filled("core_group.people", plan.core_group.people)}
    return [
        person.name.strip() or f"Person {index + 1}"
        for index, person in enumerate(plan.core_group.people)
        if person.id in kept and person.network_member is None
    ]
