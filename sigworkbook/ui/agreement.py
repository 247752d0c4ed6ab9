"""The quick agreement check under each charter section: a fist of five, hidden until revealed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import agreement
from sigworkbook.plan.agreement import AGREEMENT, LEVEL_WORDS, LEVELS, Check
from sigworkbook.plan.voting import unique_names
from sigworkbook.plan.wording import long_date
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.parts import error_html

QUESTION = "How ready are we to agree this section?"

SCALE = (
    "0: not ready · 1: serious concerns · 2: concerns to talk through · 3: I can live with it · "
)
SCALE += "4: I agree · 5: fully agree"


class AgreementBox(widgets.VBox):
    """'How ready are we to agree this section?' for one section of the charter: anyone starts
    a check, each person answers 0 to 5 on their own device, and the answers are revealed
    together (by a button, or when everyone waited for has answered) as counts, never names.

    Before the reveal this page holds its own person's answer only, and who has not answered
    yet: nobody's answer reaches another page's widgets."""

    def __init__(self, session: Session, key: str) -> None:
        self.session = session
        self.key = key
        self.title = agreement.section_title(key)
        self.status = styles.html()
        self.start_button = styles.button(
            "Check agreement",
            tooltip=f"{QUESTION} Everyone answers 0 to 5; answers stay hidden until revealed",
            fit=True,
        )
        on_click(self.start_button, self.start, reads_typing=True, once=True)
        self.start_button.layout = widgets.Layout(width="auto", min_width="max-content")
        self.answer_buttons: widgets.ToggleButtons | None = None
        self.reveal_button: widgets.Button | None = None
        self.error = ""
        """The last action's error, shown above the status (plain text)."""
        self._quiet = False
        super().__init__([self.status, self.start_button], layout=styles.layout())
        self.add_class("swb-agreement")
        session.on_change(lambda _: self._render())
        session.on_presence(lambda _: self._render())
        self._render()

    # --- who answers ----------------------------------------------------------------------

    @property
    def voter(self) -> str | None:
        """Whose answer this page gives: the hub user when hosted, else the page's name."""
        user = self.session.workspace.user
        if user is not None:
            return user.name
        return " ".join(str(self.session.author or "").split()) or None

    def expected(self) -> list[str]:
        """Who a check waits for: the core group (hosted: the members who may edit), the named
        people with the charter open now, and this page's person."""
        if self.session.workspace.user is None:
            people = self.session.value("core_group.people") or []
            electorate = [str(p.get("name") or "") for p in people]
        else:
            try:
                members = self.session.workspace.members(self.session.sig_id)
            except SigworkbookError:  # e.g. no longer allowed to read them: those present
                members = []
            electorate = [m.user for m in members if m.role in ("owner", "editor")]
        here = [v.participant or "" for v in self.session.here if v.step == "charter"]
        return unique_names([*electorate, self.voter or "", *here])

    # --- reading --------------------------------------------------------------------------

    def check(self) -> Check | None:
        checks = self.session.value(AGREEMENT)
        found = checks.get(self.key) if isinstance(checks, dict) else None
        return found if isinstance(found, dict) else None

    # --- acting ---------------------------------------------------------------------------

    def _change(self, what: str, change: Callable[[Check | None], Check]) -> bool:
        """Save `change(this section's check)`, read and written in one transaction."""

        def whole(checks: Any) -> dict[str, Check]:
            current = dict(checks or {})
            return {**current, self.key: change(current.get(self.key))}

        try:
            ok = self.session.update(AGREEMENT, whole)
        except SigworkbookError as error:
            ok, reason = False, str(error)
        else:
            reason = self.session.status.message
        self.error = "" if ok else f"{what}: {reason.removeprefix('Not saved: ')}"
        self._render()
        return ok

    def start(self) -> bool:
        """Start a check of the section as it reads now (what was just typed included)."""
        self.session.flush()
        self.session.refresh()
        new = agreement.start(self.session.document, self.key, dt.date.today())

        def change(current: Check | None) -> Check:
            if agreement.is_open(current):
                raise agreement.AgreementError("a check of this section is already open")
            return new

        return self._change("Agreement check", change)

    def give(self, level: int | None) -> bool:
        """This page's person answers `level` (None takes the answer back); when everyone
        waited for has answered, the answers are revealed."""
        voter, people = self.voter, self.expected()
        if not voter:
            self.error = "Answer not saved: give your name first"
            self._render()
            return False

        def change(current: Check | None) -> Check:
            return agreement.maybe_reveal(agreement.answer(current, voter, level), people)

        return self._change("Answer not saved", change)

    def reveal(self) -> bool:
        return self._change("Reveal", agreement.reveal)

    # --- showing --------------------------------------------------------------------------

    def _answers(self) -> widgets.ToggleButtons:
        if self.answer_buttons is None:
            self.answer_buttons = widgets.ToggleButtons(
                options=[(str(level), level) for level in LEVELS],
                value=None,
                description=f"Ready to agree “{self.title}”?",
                tooltips=[f"{level}: {LEVEL_WORDS[level]}" for level in LEVELS],
                style={"description_width": "initial"},
            )
            self.answer_buttons.add_class("swb-fist")
            self.answer_buttons.observe(self._picked, names="value")
            self.reveal_button = styles.button(
                "Reveal the answers", tooltip="Show everyone the answers now", fit=True
            )
            self.reveal_button.layout = widgets.Layout(width="auto", min_width="max-content")
            on_click(self.reveal_button, self.reveal, reads_typing=False, once=True)
        return self.answer_buttons

    def _picked(self, change: Any) -> None:
        if not self._quiet:
            self.give(change["new"] if isinstance(change["new"], int) else None)

    def _show(self, *parts: widgets.Widget) -> None:
        children = (self.status, *parts)
        box: widgets.Box = self
        if tuple(box.children) != children:
            box.children = children

    def _render(self) -> None:
        check = self.check()
        if agreement.is_open(check):
            assert check is not None
            answers = self._answers()
            mine = agreement.answer_of(check, self.voter)
            self._quiet = True
            try:
                answers.value = mine
                answers.disabled = not self.voter or self.session.read_only
            finally:
                self._quiet = False
            you = (
                f"You answered {mine}: {LEVEL_WORDS[mine]}."
                if mine is not None
                else "Your answer stays hidden until everyone's is revealed together."
            )
            progress = agreement.progress_text(check, self.expected())
            self._set_status(
                Markup(
                    '<div class="swb-notice" role="status"><strong>{}</strong> {}.<br>{} '
                    '<span class="swb-waiting">{}.</span></div>'
                ).format(QUESTION, SCALE, you, progress)
            )
            assert self.reveal_button is not None
            self._show(answers, self.reveal_button)
            return
        if agreement.is_revealed(check):
            assert check is not None
            day = check.get("started_on")
            when = f" of {long_date(dt.date.fromisoformat(day))}" if day else ""
            text = f"Agreement check{when}: {agreement.result_text(check)}."
            if agreement.stale(check, self.session.document, self.key):
                text += " The section has changed since: check it again."
            kind = " swb-notice--warning" if agreement.unsure(check) else ""
            self._set_status(
                Markup(
                    '<div class="swb-notice{} swb-agreement-result" role="status">{}</div>'
                ).format(kind, text)
            )
            self.start_button.description = "Check agreement again"
        else:
            self._set_status(Markup())
            self.start_button.description = "Check agreement"
        self.start_button.disabled = self.session.read_only
        self._show(self.start_button)

    def _set_status(self, value: Markup) -> None:
        value = (error_html(self.error) if self.error else Markup()) + value
        if self.status.value != value:
            self.status.value = value
