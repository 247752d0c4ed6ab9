"""The start page's join card: the short address and QR code others open, and the room's buttons."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import ipywidgets as widgets

from sigworkbook import settings
from sigworkbook.joining import Served, qr_svg, served
from sigworkbook.markup import Markup
from sigworkbook.room import (
    Room,
    RoomError,
    change_code,
    close_room,
    is_local_page,
    open_room,
    read_room,
    room_file,
)
from sigworkbook.ui import styles

QR_TITLE = "QR code of the link to join"
OPEN_LABEL = "Open the room to other computers"
CLOSE_LABEL = "Close the room"
NEW_CODE_LABEL = "New join code"


def join_card_html(how: Served, sig: str | None = None) -> Markup:
    """The card's markup for a server without the room gate: the link with its token, large,
    and its QR code; on loopback, how to let others in."""
    link = how.link(sig)
    if link is None:
        return Markup(
            '<div class="swb-join swb-join--local swb-notice" role="note">'
            "<h2>Only this computer can open the workbook</h2>"
            "<p>It is served on {}, which other phones and laptops cannot "
            "reach. To let the group join on their own devices (on the same network), stop the "
            "server with Ctrl-C and start it again without <code>--host</code> "
            "(<code>sigworkbook serve</code>): this page then opens the room to them.</p></div>"
        ).format(how.host)
    return _link_html(link, link)


def _link_html(link: str, shown: str, note: str = "", box: str = "swb-join") -> Markup:
    """The join section: `shown` large (the address a person types), `link` in the QR code;
    `box` is its class (the bordered card, or inside the room card's own border)."""
    note = note or (
        "The link lets whoever has it read and change the plans here: share it with the group only."
    )
    return Markup(
        '<section class="{}" aria-labelledby="swb-join-title">'
        '<h2 id="swb-join-title">Join on your own phone or laptop</h2>'
        '<div class="swb-join-body">'
        '<div class="swb-join-qr">{}</div>'
        '<div class="swb-join-text"><p>Scan the code, or type this address:</p>'
        '<p class="swb-join-link"><a href="{}" target="_blank" '
        'rel="noopener noreferrer">{}</a></p>'
        '<p class="swb-help">{}</p></div></div></section>'
    ).format(box, Markup(qr_svg(link, QR_TITLE)), link, shown, note)


def room_html(how: Served, room: Room, local: bool) -> Markup:
    """The card's markup behind the room gate, for `room` as it is now."""
    short = how.short_address(room.code) if room.open else None
    if short is None:
        tail = (
            "Open the room to let the group join on their own phones and laptops (on the same "
            "network): this card then shows a short address to type and a QR code."
            if local
            else "The facilitator has closed the room."
        )
        return Markup(
            '<div class="swb-join-room" role="note">'
            "<h2>Only this computer can open the workbook</h2><p>{}</p></div>"
        ).format(tail)
    return _link_html(
        f"http://{short}",
        short,
        "Whoever has this address can read and change the plans here while the room is open. "
        "A new join code shuts out everyone who joined with the old one; closing the room shuts "
        "out every other computer.",
        box="swb-join-room",
    )


class RoomCard(widgets.VBox):
    """The join card behind the room gate: the room as it is, and (on this machine only) the
    buttons that open it, change its code and close it."""

    def __init__(self, how: Served, path: Path, sig: str | None, local: bool) -> None:
        self.how, self.path, self.sig, self.local = how, path, sig, local
        self.shown = styles.html()
        self.problem = styles.html()
        self.opener = styles.button(OPEN_LABEL, fit=True, button_style="primary")
        self.renewer = styles.button(NEW_CODE_LABEL, fit=True)
        self.closer = styles.button(CLOSE_LABEL, fit=True)
        self.opener.on_click(lambda _: self._act(lambda: open_room(self.path, self.sig)))
        self.renewer.on_click(lambda _: self._act(lambda: change_code(self.path)))
        self.closer.on_click(lambda _: self._act(lambda: close_room(self.path)))
        self.buttons = styles.hbox([], "swb-join-actions")
        super().__init__(
            [self.shown, self.buttons, self.problem], layout=styles.layout(width="100%")
        )
        self.add_class("swb-join-card")
        self.add_class("swb-join")  # the border around the text and the buttons
        self.show(read_room(path))

    def show(self, room: Room) -> None:
        """Show `room`, with the buttons that fit it (none on another computer's page)."""
        self.shown.value = room_html(self.how, room, self.local)
        if not self.local:
            self.buttons.children = ()
        elif room.open:
            self.buttons.children = (self.renewer, self.closer)
        else:
            self.buttons.children = (self.opener,)

    def _act(self, change: Callable[[], Room]) -> None:
        if not self.local:  # a page from another computer never changes the room
            self.problem.value = "<p class='swb-error'>Only the facilitator's computer can.</p>"
            return
        try:
            room = change()
        except RoomError as error:
            self.problem.value = Markup("<p class='swb-error' role='alert'>{}</p>").format(error)
            return
        self.problem.value = ""
        self.show(room)


def join_card(
    sig: str | None = None, env: Mapping[str, str] | None = None
) -> widgets.Widget | None:
    """The join card for a page served by `sigworkbook serve`; None when not served by it."""
    variables = os.environ if env is None else env
    how = served(variables)
    if how is None:
        return None
    if how.room:
        workspace = Path(variables.get(settings.WORKSPACE.env) or settings.WORKSPACE.read())
        local = is_local_page(variables.get("SERVER_NAME", ""))
        return RoomCard(how, room_file(workspace.expanduser()), sig, local)
    card = styles.html(join_card_html(how, sig))
    card.add_class("swb-join-card")
    return card
