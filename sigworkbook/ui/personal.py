"""Page sections for personal data: look a person up and erase them, close or delete a SIG,
the SIGs past the retention period. Every action goes through the workspace, which decides."""

from __future__ import annotations

import ipywidgets as widgets

from sigworkbook import privacy
from sigworkbook.errors import SigworkbookError
from sigworkbook.markup import Markup
from sigworkbook.plan.people import person_key
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.parts import card, done_html, error_html
from sigworkbook.ui.readonly import ALWAYS_ENABLED
from sigworkbook.workspace import Workspace

CONFIRM_WORD = "erase"


def _text(description: str, placeholder: str) -> widgets.Text:
    return widgets.Text(
        description=description,
        placeholder=placeholder,
        continuous_update=True,
        layout=styles.layout(width="100%", max_width="480px"),
        style={"description_width": "initial"},
    )


class PersonPanel(widgets.VBox):
    """Find everything held about a person, then erase them after typing "erase"."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.name_input = _text("Name or contact", "e.g. Ann Smith or ann@example.org")
        self.find_button = styles.button("Find", tooltip="Show every place they appear", fit=True)
        self.report = styles.html()
        self.confirm_input = _text(f"Type {CONFIRM_WORD} to confirm", CONFIRM_WORD)
        self.erase_button = styles.button(
            "Erase them", tooltip="Replace them by a placeholder everywhere", fit=True
        )
        self.message = styles.html()
        self.found_for = ""
        on_click(self.find_button, self.find, reads_typing=True)
        on_click(self.erase_button, self.erase, reads_typing=True)
        super().__init__(
            [
                widgets.HBox([self.name_input, self.find_button]),
                self.report,
                widgets.HBox([self.confirm_input, self.erase_button]),
                self.message,
            ],
            layout=styles.layout(width="100%"),
        )
        self.add_class(ALWAYS_ENABLED)
        self.add_class("swb-person-panel")

    def find(self) -> bool:
        """Show the report for the typed name; True when it could be made."""
        name = " ".join(self.name_input.value.split())
        self.message.value = ""
        if not name:
            self.message.value = error_html("Name or contact: type whom to look for")
            return False
        try:
            places = self.workspace.find_person(name)
        except SigworkbookError as error:
            self.message.value = error_html(str(error))
            return False
        self.found_for = name if places else ""
        summary = privacy.erasure_summary(name, places) if places else ""
        self.report.value = Markup('<pre class="swb-report">{}</pre>').format(
            privacy.as_text(name, places)
        ) + (Markup('<p class="swb-help">{}</p>').format(summary) if summary else "")
        return True

    def erase(self) -> bool:
        """Erase the person last found, once "erase" is typed; True when done."""
        name = " ".join(self.name_input.value.split())
        if not self.found_for or person_key(name) != person_key(self.found_for):
            self.message.value = error_html("Find them first: the erasure says what will go")
            return False
        if self.confirm_input.value.strip().lower() != CONFIRM_WORD:
            self.message.value = error_html(f"Confirm: type {CONFIRM_WORD} to erase {name}")
            return False
        try:
            erasure = self.workspace.erase_person(name)
        except SigworkbookError as error:
            self.message.value = error_html(str(error))
            return False
        self.found_for = ""
        self.confirm_input.value = ""
        self.report.value = ""
        self.message.value = done_html(
            f"Erased: {erasure.places} places in {erasure.sigs} SIGs now say {erasure.placeholder}."
        )
        return True


class SigEndPanel(widgets.VBox):
    """Close this SIG (kept, read-only) or open it again, or delete it after typing its name."""

    def __init__(self, workspace: Workspace, sig_id: str) -> None:
        self.workspace = workspace
        self.sig_id = sig_id
        self.close_button = styles.button("Close the SIG", tooltip="Keep it, read-only", fit=True)
        self.reopen_button = styles.button("Open it again", tooltip="Allow edits again", fit=True)
        self.name_input = _text("Type the SIG's name to delete it", "its name")
        self.delete_button = styles.button(
            "Delete for good", tooltip="Plan, history, members and exports all go", fit=True
        )
        self.message = styles.html()
        on_click(self.close_button, self.close_sig, reads_typing=False)
        on_click(self.reopen_button, self.reopen_sig, reads_typing=False)
        on_click(self.delete_button, self.delete_sig, reads_typing=True)
        super().__init__(
            [
                widgets.HBox([self.close_button, self.reopen_button]),
                widgets.HBox([self.name_input, self.delete_button]),
                self.message,
            ],
            layout=styles.layout(width="100%"),
        )
        self.add_class(ALWAYS_ENABLED)
        self.add_class("swb-sig-end-panel")

    def _act(self, closed: bool) -> bool:
        try:
            self.workspace.close_sig(self.sig_id, closed=closed)
        except SigworkbookError as error:
            self.message.value = error_html(str(error))
            return False
        self.message.value = done_html(
            "The SIG is closed: kept and read-only." if closed else "The SIG is open again."
        )
        return True

    def close_sig(self) -> bool:
        """Close the SIG (kept, read-only); True when closed. Not `close`: that is the widget's
        own teardown, which ipywidgets calls when the widget goes (at the kernel's exit too)."""
        return self._act(True)

    def reopen_sig(self) -> bool:
        return self._act(False)

    def delete_sig(self) -> bool:
        """Delete the SIG if its name was typed; True when deleted."""
        try:
            self.workspace.delete_sig(self.sig_id, typed=self.name_input.value)
        except SigworkbookError as error:
            self.message.value = error_html(str(error))
            return False
        self.message.value = done_html("The SIG is deleted. Choose or start another above.")
        return True


def retention_html(workspace: Workspace) -> Markup:
    """The SIGs past the retention period and the closed ones, for the network team."""
    past, closed = workspace.past_retention(), workspace.closed_sigs()
    lines = []
    if past:
        lines.append(
            Markup("<p>Not changed for longer than the retention period: {}.</p>").format(
                ", ".join(past)
            )
        )
    if closed:
        lines.append(Markup("<p>Closed: {}.</p>").format(", ".join(sorted(closed))))
    return Markup("").join(lines) or Markup(
        '<p class="swb-help">No SIG is closed or past the retention period.</p>'
    )


def personal_cards(workspace: Workspace, sig_id: str) -> list[widgets.Widget]:
    """The start page's sections for a SIG's owners (locally: its user): look a person up in
    their SIGs and erase them; close or delete this SIG. None for anyone else."""
    if not workspace.can_manage(sig_id):
        return []
    person = PersonPanel(workspace)
    end = SigEndPanel(workspace, sig_id)
    return [
        card(
            "A person's data",
            person,
            intro="Show everything held about someone (to send them a copy), or erase them: "
            "their name and contact become a placeholder here and in every earlier version.",
        ),
        card(
            "Close or delete this SIG",
            end,
            intro="Closing keeps it, read-only. Deleting removes it for good: plan, history, "
            "members and exported documents.",
        ),
    ]
