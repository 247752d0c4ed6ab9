"""Asks a nameless visitor for their name before their first edit is saved (reading needs none)."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from sigworkbook.live.session import NAME_NEEDED, SaveStatus, Session
from sigworkbook.markup import Markup
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click

NAME_LIMIT = 80
"""The longest name a participant may give (as on the start page)."""


class NamePrompt(widgets.VBox):
    """'Your name' with a button, shown while this page's person has given none. Their edits
    wait (the page says so) and are saved as theirs once they give it; the browser keeps the
    name (sigworkbook.js: localStorage, and `who=` in the address) and gives it to the next
    page it opens without one."""

    def __init__(self, session: Session, named: Callable[[], None] | None = None) -> None:
        self.session = session
        self._named = named
        self.name = widgets.Text(
            description="Your name",
            placeholder="so the group sees who changed what",
            continuous_update=False,
            style=styles.style(widgets.Text, description_width="initial"),
            layout=styles.layout(width="min(100%, 28rem)"),
        )
        self.name.add_class("swb-name-input")
        self.button = styles.button("That's me", tooltip="Save your name for this page", fit=True)
        self.button.add_class("swb-name-save")
        self.note = styles.html()
        # Enter (or leaving the box) gives the name typed, as the button does.
        self.name.observe(lambda change: self.give() if change.new.strip() else None, "value")
        on_click(self.button, self.give, reads_typing=True)
        super().__init__(
            [self.note, styles.hbox([self.name, self.button])], layout=styles.layout(width="100%")
        )
        self.add_class("swb-name-prompt")
        session.on_status(self._status)
        self._show(waiting=False)

    def _show(self, *, waiting: bool, problem: str = "") -> None:
        if not self.session.needs_name:
            self.layout.display = "none"
            self.note.value = ""
            return
        self.layout.display = None
        if problem:
            text, role = problem, "alert"
        elif waiting:
            text, role = f"{NAME_NEEDED}.", "alert"
        else:
            text, role = "You can read everything. Before you change anything, say who you are:", ""
        kind = "swb-notice" if waiting or problem else "swb-help"
        role_attribute = Markup(' role="{}"').format(role) if role else ""
        self.note.value = Markup('<p class="{}"{}>{}</p>').format(kind, role_attribute, text)

    def _status(self, status: SaveStatus) -> None:
        self._show(waiting=status.message == NAME_NEEDED)

    def give(self) -> bool:
        """Take the name typed: save the edits that waited for it, as this person's."""
        name = " ".join(self.name.value.split())
        if not name:
            self._show(waiting=True, problem="Your name: type it first, then choose “That's me”")
            return False
        if len(name) > NAME_LIMIT:
            self._show(
                waiting=True,
                problem=f"Your name: at most {NAME_LIMIT} characters, please (this is {len(name)})",
            )
            return False
        if not self.session.needs_name and self.session.author == name:
            return True  # given already (Enter, then the button)
        saved = self.session.set_author(name)
        self._show(waiting=False)
        if self._named is not None:
            self._named()
        return saved
