"""Every step of the workbook has all its parts: notebook, page module, plan sections, gap rules."""

from __future__ import annotations

import json

import pytest
from repo_paths import PACKAGE, WORKBOOKS

from sigworkbook.plan import gaps
from sigworkbook.plan.gaps import MissingRules, step_rules
from sigworkbook.plan.model import READ_ONLY_FIELDS, Plan
from sigworkbook.plan.steps import STEPS, Step
from sigworkbook.ui.pages import MissingPage, page_module

PAGES = PACKAGE / "ui" / "pages"


def missing_parts(step: Step) -> list[str]:
    """What step `step` still lacks, each as the thing to add (see docs/design.md)."""
    missing = []
    notebook = WORKBOOKS / step.notebook
    if not notebook.is_file():
        missing.append(f"its notebook workbooks/{step.notebook}")
    else:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        if f"sigworkbook.ui.pages.{step.key}" not in code:
            missing.append(f"a call into sigworkbook.ui.pages.{step.key} in {step.notebook}")
    if not (PAGES / f"{step.key}.py").is_file():
        missing.append(f"its page module sigworkbook/ui/pages/{step.key}.py")
    if not step.sections:
        missing.append("its sections of the plan (Step.sections in plan/steps.py)")
    for section in step.sections:
        if section not in Plan.model_fields:
            missing.append(f"its section '{section}' in the model (a field of Plan)")
    try:
        step_rules(step.key)
    except MissingRules:
        missing.append(f"its gap rules (@rules_for('{step.key}') in plan/gaps.py)")
    return missing


@pytest.mark.parametrize("step", STEPS, ids=[s.key for s in STEPS])
def test_the_step_has_every_part(step: Step) -> None:
    missing = missing_parts(step)
    assert not missing, f"step '{step.key}' is missing " + "; ".join(missing)


def test_every_section_of_the_plan_belongs_to_one_step() -> None:
    owners: dict[str, list[str]] = {}
    for step in STEPS:
        for section in step.sections:
            owners.setdefault(section, []).append(step.key)
    sections = [name for name in Plan.model_fields if name not in READ_ONLY_FIELDS]
    assert {s: owners.get(s, []) for s in sections} == {s: owners[s][:1] for s in sections}


def test_no_gap_rules_for_a_step_that_does_not_exist() -> None:
    assert set(gaps._RULES) == {step.key for step in STEPS}


def test_a_step_without_its_parts_is_named_with_what_to_add() -> None:
    lonely = Step(9, "lonely", "Lonely", "09-lonely.ipynb", 5, ("nowhere",))
    assert missing_parts(lonely) == [
        "its notebook workbooks/09-lonely.ipynb",
        "its page module sigworkbook/ui/pages/lonely.py",
        "its section 'nowhere' in the model (a field of Plan)",
        "its gap rules (@rules_for('lonely') in plan/gaps.py)",
    ]
    with pytest.raises(MissingRules, match=r"step 'lonely' has no gap rules: add .*@rules_for"):
        step_rules("lonely")


def test_a_missing_page_module_is_an_error_naming_the_file() -> None:
    # It was skipped silently: the step's page opened without its form module loaded.
    with pytest.raises(MissingPage, match=r"add sigworkbook/ui/pages/lonely\.py"):
        page_module("lonely")
    assert page_module("charter").__name__ == "sigworkbook.ui.pages.charter"


def test_two_sets_of_rules_for_one_step_are_refused() -> None:
    with pytest.raises(ValueError, match="step 'core' has two sets of gap rules"):
        gaps.rules_for("core")(lambda plan, today: iter(()))
