"""The workbook's setup steps: their order, titles, notebooks, plan sections and timeboxes.

A step is its entry here, its notebook (workbooks/), its page module (sigworkbook/ui/pages/<key>.py)
and its gap rules (`@rules_for(key)` in plan/gaps.py); tests/plan/test_steps_complete.py names any
part missing. See "How to add a step" in docs/design.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One setup step of the workbook, served as one notebook page."""

    number: int
    key: str
    title: str
    notebook: str
    minutes: int
    """Suggested timebox in a design meeting; 0 for pages that are not part of the agenda."""
    sections: tuple[str, ...] = ()
    """The sections of the plan (fields of `Plan`) the step fills in."""

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


STEPS: tuple[Step, ...] = (
    Step(0, "start", "Start", "00-start.ipynb", 0, ("meeting",)),
    Step(
        1,
        "core",
        "Core group and statement",
        "01-core-group.ipynb",
        20,
        ("core_group", "statement"),
    ),
    Step(2, "name", "Name and description", "02-name.ipynb", 15, ("identity",)),
    Step(3, "charter", "Charter", "03-charter.ipynb", 30, ("charter",)),
    Step(4, "schedule", "Schedule of activities", "04-schedule.ipynb", 10, ("schedule",)),
    Step(5, "promotion", "Promotion and invitations", "05-promotion.ipynb", 10, ("promotion",)),
    Step(6, "review", "Review and export", "06-review.ipynb", 5, ("development",)),
)

STEP_BY_KEY: dict[str, Step] = {step.key: step for step in STEPS}

STEP_BY_NOTEBOOK: dict[str, Step] = {step.notebook: step for step in STEPS}

APP_NOTEBOOK = "app.ipynb"
"""The notebook of the app page, which holds every step (served at the server's root)."""


def next_step(step: Step) -> Step | None:
    """The step after `step`, or None for the last one."""
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None
