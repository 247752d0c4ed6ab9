"""The members panel of the start page: a SIG's owners add, re-role and remove members by hub name."""

from __future__ import annotations

import ipywidgets as widgets

from sigworkbook.errors import SigworkbookError
from sigworkbook.markup import Markup
from sigworkbook.store import Member
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.parts import done_html, error_html
from sigworkbook.ui.readonly import ALWAYS_ENABLED
from sigworkbook.workspace import Workspace

ROLE_NAMES = {
    "owner": "Convener (edits, manages members)",
    "editor": "Core group (edits)",
    "viewer": "Reader (reads only)",
}


def members_html(members: list[Member]) -> Markup:
    """The members as a table; names are user text, escaped."""
    if not members:
        return Markup('<p class="swb-help">No members yet.</p>')
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td></tr>").format(m.user, ROLE_NAMES[m.role])
        for m in members
    )
    return Markup(
        '<table class="swb-table swb-members"><thead><tr><th scope="col">Hub user name</th>'
        '<th scope="col">Role</th></tr></thead><tbody>{}</tbody></table>'
    ).format(rows)


class MembersPanel(widgets.VBox):
    """Who may see and edit this SIG; its owners change that here."""

    def __init__(self, workspace: Workspace, sig_id: str) -> None:
        self.workspace = workspace
        self.sig_id = sig_id
        self.table = styles.html()
        self.user_input = widgets.Text(
            description="Hub user name",
            placeholder="the name they log in with",
            continuous_update=True,
            layout=styles.layout(width="100%", max_width="480px"),
            style={"description_width": "initial"},
        )
        self.role_input = widgets.Dropdown(
            description="Role",
            options=[(label, role) for role, label in ROLE_NAMES.items()],
            value="editor",
            layout=styles.layout(width="100%", max_width="480px"),
            style={"description_width": "initial"},
        )
        self.add_button = styles.button(
            "Add or change", tooltip="Give this person this role in the SIG", fit=True
        )
        self.remove_button = styles.button(
            "Remove", tooltip="Take this person out of the SIG", fit=True
        )
        on_click(self.add_button, self.add, reads_typing=True)
        on_click(self.remove_button, self.remove, reads_typing=True)
        self.message = styles.html()
        super().__init__(
            [
                self.table,
                self.user_input,
                self.role_input,
                widgets.HBox([self.add_button, self.remove_button]),
                self.message,
            ],
            layout=styles.layout(width="100%"),
        )
        self.add_class(ALWAYS_ENABLED)
        self.add_class("swb-members-panel")
        self._show()

    def _show(self) -> None:
        self.table.value = members_html(self.workspace.members(self.sig_id))

    def _change(self, role: str | None) -> bool:
        user = " ".join(self.user_input.value.split())
        if not user:
            self.message.value = error_html("Hub user name: type the name they log in with")
            return False
        try:
            user = self.workspace.set_member(self.sig_id, user, role)
        except SigworkbookError as error:
            self.message.value = error_html(str(error))
            return False
        done = f"{user} is now: {ROLE_NAMES[role]}" if role else f"{user} was removed"
        self.message.value = done_html(f"{done}.")
        self.user_input.value = ""
        self._show()
        return True

    def add(self) -> bool:
        """Give the typed user the chosen role; True when saved."""
        return self._change(str(self.role_input.value))

    def remove(self) -> bool:
        """Remove the typed user from the SIG; True when saved."""
        return self._change(None)
