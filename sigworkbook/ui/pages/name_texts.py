"""The name page's lines of markup, each escaping what it is given (markupsafe)."""

from __future__ import annotations

from markupsafe import Markup

from sigworkbook.plan import voting
from sigworkbook.plan.voting import Round, plural


def hosted_notice(user: str) -> Markup:
    """The logged-in hub user votes, under that name."""
    return Markup(
        '<p class="swb-help">You vote as <strong>{}</strong>, the name you logged in with.</p>'
    ).format(user)


SHARED_NOTICE = Markup(
    "<p class=\"swb-help\">Shared screen: pick your name in 'Voting as' before you "
    "put your dots, then hand over to the next person.</p>"
)


def named_notice(voter: str) -> Markup:
    """The name the page was opened with votes."""
    return Markup(
        '<p class="swb-help">You vote as <strong>{}</strong>, the name this page was opened '
        "with.</p>"
    ).format(voter)


def nameless_notice(start_href: str) -> Markup:
    """Nobody to vote as: where to give a name."""
    return Markup(
        '<div class="swb-notice swb-notice--warning" role="status">To vote, give your name '
        '<a href="{}">on the start page</a>. You can still add ideas.</div>'
    ).format(start_href)


NO_IDEAS = Markup('<p class="swb-help">No name ideas yet: add the first one.</p>')

START_HINT = Markup(
    '<p class="swb-help">Ideas in? Start a voting round: everyone puts their dots, '
    "and nobody sees anyone else's until the results are revealed.</p>"
)


def collecting(ideas: int) -> Markup:
    """Ideas are being collected privately: how many so far (never whose)."""
    return Markup(
        '<div class="swb-notice" role="status"><strong>Ideas are collected privately'
        "</strong>: you see only your own until they are revealed. {} so far.</div>"
    ).format(plural(ideas, "idea"))


def open_round(current: Round, voter: str | None, expected: list[str]) -> Markup:
    """An open round: its rules, the voter's dots left, and who it waits for."""
    budget, cap = int(current.get("budget", 3)), int(current.get("per_idea", 1))
    rules = f"{plural(budget, 'dot')} each, at most {plural(cap, 'dot')} on one idea"
    if current.get("anonymous"):
        rules += ", anonymous"
    mine = ""
    if voter and voting.abstained(current, voter):
        mine = " You are not voting this round."
    elif voter:
        mine = f" You have {plural(voting.dots_left(current, voter), 'dot')} left."
    progress = voting.progress_text(current, expected)
    return Markup(
        '<div class="swb-notice" role="status"><strong>Voting round open</strong> '
        "({}): choices stay hidden until the results are revealed."
        '{}<br><span class="swb-waiting">{}.</span></div>'
    ).format(rules, mine, progress)


def revealed(current: Round) -> Markup:
    """A revealed round: how many took part (and abstained)."""
    took_part = voting.done(current)
    abstained = sum(1 for b in current.get("ballots", []) if b.get("abstained"))
    text = f"Results revealed: {plural(len(took_part), 'person')} took part"
    text = text.replace("persons", "people")
    if abstained:
        text += f" ({abstained} abstained)"
    return Markup(
        '<div class="swb-notice" role="status">{}. Choose the name below, or close the round.</div>'
    ).format(text)


def looks_like(typed: str, name: str) -> Markup:
    """A typed idea close to one on the list."""
    return Markup(
        '<div class="swb-notice swb-notice--warning" role="alert">'
        "“{}” looks like “{}”, already on the list.</div>"
    ).format(" ".join(typed.split()), name)


def more_votes(ahead: str, name: str) -> Markup:
    """Choosing an idea another one is ahead of."""
    return Markup(
        '<div class="swb-notice swb-notice--warning" role="alert">'
        "“{}” has more votes. Choose “{}” anyway?</div>"
    ).format(ahead, name)


def thanks(voter: str) -> Markup:
    """On a shared screen, the person at it is done."""
    return Markup(
        '<div class="swb-saved" role="status">Thank you, {}: '
        "next person, pick your name in 'Voting as'.</div>"
    ).format(voter)


def row_summary(
    name: str, by: str, *, place: str, result: str, leading: bool, chosen: bool
) -> Markup:
    """An idea's title (with its badges) and who proposed it, its place and votes."""
    badges = Markup(' <span class="swb-badge">leading</span>') if leading else Markup()
    if chosen:
        badges += Markup(' <span class="swb-badge">✓ chosen</span>')
    shown_place = Markup('<span class="swb-place">{}</span> · ').format(place) if place else ""
    return Markup(
        '<h3 class="swb-row-title">{}{}</h3>'
        '<p class="swb-help">{}Proposed by {}. <span class="swb-votes">{}</span></p>'
    ).format(name, badges, shown_place, by, result)
