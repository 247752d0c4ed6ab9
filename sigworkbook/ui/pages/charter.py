"""Step 3, the charter: the four questions with prompts, the other sections, measures and risks."""

from __future__ import annotations

import functools

import ipywidgets as widgets

from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues
from sigworkbook.plan.agreement import section_title
from sigworkbook.plan.sections import CHARTER_SECTIONS, QUESTIONS
from sigworkbook.ui import styles
from sigworkbook.ui.agreement import AgreementBox
from sigworkbook.ui.controls import FieldControl, form
from sigworkbook.ui.later import later
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, definitions_html, items_html, reference
from sigworkbook.ui.tables import RowsEditor

QUESTION_PROMPTS: dict[str, tuple[str, ...]] = {
    "charter.purpose": (
        "What should be different for patients, staff or services because this group exists?",
        "Why does this need a group, rather than one person or one team?",
        "Which part of your core statement matters most right now?",
    ),
    "charter.approach": (
        "Which activities fit members' time and places: online, in person, or a mix?",
        "What habits will keep the group alive between meetings?",
        "How will members try ideas out and bring back what happened?",
    ),
    "charter.people": (
        "Who convenes, and who steps in when they are away?",
        "Do you want a sponsor, a facilitator, or a librarian who watches for new evidence?",
        "Whose voices are missing: patients, carers, other professions or regions?",
    ),
    "charter.evidence": (
        "What would members say they got out of taking part?",
        "Which changes in practice would show the group makes a difference?",
        "What will you count, and which stories will you collect?",
    ),
}
"""Discussion prompts shown next to each of the four questions."""

FORM_SECTIONS: tuple[str, ...] = ("scope", "members", "membership", "rhythm", "resources")
"""The sections (`plan.sections`) shown as a plain form of their fields, each a card."""


def prompts_html(prompts: tuple[str, ...]) -> Markup:
    return Markup('<div class="swb-prompts"><p>Prompts:</p><ul>{}</ul></div>').format(
        items_html(prompts)
    )


def question(session: Session, path: str) -> widgets.GridBox:
    """One of the four questions: its input, and its prompts beside it."""
    prompts = styles.html(prompts_html(QUESTION_PROMPTS[path]))
    grid = widgets.GridBox(
        [FieldControl(session, path), prompts],
        layout=widgets.Layout(
            width="100%", grid_template_columns="minmax(0, 2fr) minmax(0, 1fr)", grid_gap="1em"
        ),
    )
    grid.add_class("swb-question")
    return grid


def catalogue_list(name: catalogues.CatalogueName) -> Markup:
    """A catalogue as a definition list: each entry's label and description."""
    entries = catalogues.active()[name].values()
    return definitions_html(((e.label, e.description) for e in entries), "swb-catalogue")


class LifecycleChoice(widgets.VBox):
    """The lifecycle stage, with the chosen stage's description under it."""

    def __init__(self, session: Session) -> None:
        self.control = FieldControl(session, "charter.lifecycle_stage")
        self.description = styles.html()
        self.control.input.observe(lambda _: self._describe(), names="value")
        self._describe()
        super().__init__([self.control, self.description], layout=styles.layout(width="100%"))

    def _describe(self) -> None:
        entry = catalogues.active()["lifecycle_stages"].get(str(self.control.input.value))
        text = entry.description if entry else ""
        self.description.value = (
            Markup('<p class="swb-notice" aria-live="polite">{}</p>').format(text) if text else ""
        )


def section_parts(session: Session, key: str) -> list[widgets.Widget]:
    """A charter section's fields and its agreement check."""
    return [form(session, list(CHARTER_SECTIONS[key].paths)), AgreementBox(session, key)]


def build(page: Page) -> widgets.Widget:
    """The charter form: the four questions, the other sections, measures, risks, review date."""
    session = page.session
    parts = [
        widget
        for section in QUESTIONS
        for widget in (question(session, section.paths[0]), AgreementBox(session, section.key))
    ]
    questions = card(
        "The four questions",
        *parts,
        intro="These questions stay with the group for its whole life; answer them for now.",
    )
    # Below the four questions, every card's title shows at once and its fields once the
    # page is on screen (`later`): the first screen comes sooner.
    sections = [
        later(card(section_title(key)), functools.partial(section_parts, session, key))
        for key in FORM_SECTIONS
    ]
    stage = later(
        card(
            section_title("stage"),
            intro="Communities change as they grow; say which stage yours is at today.",
        ),
        lambda: [LifecycleChoice(session), AgreementBox(session, "stage")],
    )
    measures = later(
        card(
            section_title("measures"),
            intro="For each measure: what you will look at, the kind of value it shows, and a "
            "target.",
        ),
        lambda: [
            reference("The kinds of value a group can create", catalogue_list("value_kinds")),
            RowsEditor(
                session,
                "charter.measures",
                ["indicator", "value_kind", "target", "review_date"],
                add_label="Add a measure",
            ),
            AgreementBox(session, "measures"),
        ],
    )
    risks = later(
        card(
            section_title("risks"),
            intro="What could stop the group working, and what you will do about each.",
        ),
        lambda: [
            RowsEditor(session, "charter.risks", ["risk", "mitigation"], add_label="Add a risk"),
            AgreementBox(session, "risks"),
        ],
    )
    review = later(
        card(
            section_title("review"),
            intro="A charter is a living document: pick the date you will read it again together.",
        ),
        lambda: [FieldControl(session, "charter.review_date"), AgreementBox(session, "review")],
    )
    box = widgets.VBox(
        [questions, *sections, stage, measures, risks, review], layout=styles.layout(width="100%")
    )
    box.add_class("swb-page-charter")
    return box
