"""Step 5, promotion and invitations: channels, actions with live length counts, invitees, habits."""

from __future__ import annotations

import ipywidgets as widgets

from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues
from sigworkbook.plan.fields import field_spec
from sigworkbook.ui import styles
from sigworkbook.ui.controls import FieldControl, count_text, form
from sigworkbook.ui.directory import DirectorySearch
from sigworkbook.ui.later import later
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, catalogue_table, reference
from sigworkbook.ui.tables import RowsEditor

ACTION_COLUMNS = ("channel", "draft", "owner", "date", "status")
HABITS = (
    "promotion.online_space.welcome_post",
    "promotion.online_space.introductions",
    "promotion.online_space.no_post_unanswered",
)


def channels_html() -> Markup:
    """The channel catalogue as a table: what each channel is, who runs it, its length limit."""
    active = catalogues.active()
    rows = []
    for key, entry in active["channels"].items():
        limit = active.char_limit(key)
        run_by = "The network team" if entry.get("network_channel") else "You"
        length = f"{limit:,} characters" if limit else "No fixed limit"
        rows.append((entry.label, entry.description, run_by, length))
    return catalogue_table(("Channel", "What it is", "Run by", "Length limit"), rows)


def draft_count_html(draft: str, channel: str) -> Markup | str:
    """The draft's length against its channel's limit, flagged when over."""
    limit = catalogues.active().char_limit(channel)
    if limit is None:
        return Markup(
            '<span class="swb-count" aria-live="polite">{} characters '
            "(no fixed limit on this channel)</span>"
        ).format(len(draft))
    label = catalogues.active().label("channels", channel)
    return count_text(
        len(draft), field_spec("promotion.actions.*.draft"), limit, why=f"{label} allows"
    )


def count_against_channel(channel: FieldControl, draft: FieldControl) -> None:
    """Count the draft against its row's channel's limit (instead of the field's storage limit),
    following both the draft and the channel."""
    draft.counting = lambda text: draft_count_html(text, str(channel.input.value))
    channel.input.observe(lambda _: draft.recount(), names="value")
    draft.recount()


class ActionsEditor(RowsEditor):
    """Promotion actions as rows, each draft with a live count against its channel's limit."""

    def opened(self, controls: dict[str, FieldControl]) -> None:
        count_against_channel(controls["channel"], controls["draft"])


def build(page: Page) -> widgets.Widget:
    """The promotion form: channels, actions, finding people to invite, online-space habits."""
    session = page.session
    # The channels are reference: folded inside the card where they are chosen.
    actions = card(
        "Spreading the word",
        reference("Where you can spread the word, and how long a post may be", channels_html()),
        ActionsEditor(
            session,
            "promotion.actions",
            ACTION_COLUMNS,
            add_label="Add a promotion action",
            title=lambda row, i: catalogues.active().label("channels", str(row.get("channel", ""))),
        ),
        intro="One row per post or message: the channel, a draft, who sends it and when. Mix "
        "the network's own channels with your own; the network team can help with theirs.",
    )
    people = later(
        card(
            "Find people to invite",
            intro="Search a member directory for your theme and key phrases, then tick whom to "
            "invite.",
        ),
        lambda: [DirectorySearch(session)],
    )
    habits = later(
        card(
            "Habits in the online space",
            intro="Small habits make newcomers feel at home; tick each one once it is in place.",
        ),
        lambda: [form(session, list(HABITS))],
    )
    box = widgets.VBox([actions, people, habits], layout=styles.layout(width="100%"))
    box.add_class("swb-page-promotion")
    return box
