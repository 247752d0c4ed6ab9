"""Step 1 page: core group and roles, focus, the existing-group check, statement and invitation."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from sigworkbook.lists.matching import (
    MAX_BYTES,
    Match,
    RecordsError,
    SearchIndex,
    read_records,
    where_found,
)
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues
from sigworkbook.resources import data_file
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.controls import FieldControl, LinesControl, form, help_html
from sigworkbook.ui.later import later
from sigworkbook.ui.page import Page
from sigworkbook.ui.parts import card, definitions_html, error_html, items_html
from sigworkbook.ui.tables import RowsEditor
from sigworkbook.ui.uploads import list_upload
from sigworkbook.workspace import Loaded

SAMPLE_GROUPS = data_file("sample", "existing-groups.csv")
GROUP_COLUMNS = ("name", "theme", "key_phrases")
"""Columns a list of existing groups must have (case and spacing do not matter)."""
OPTIONAL_COLUMNS = ("url", "contact")
"""Columns used when present."""
MATCH_LIMIT = 8
CONSIDERED = "statement.existing_groups.groups_considered"


# --- plain-language feedback on the invitation (pure functions) ----------------------------

LONG_SENTENCE = 25
"""Words above which a sentence is hard to take in at one reading."""

KNOWN_ABBREVIATIONS = frozenset({"OK", "UK", "NHS", "GP", "GPs", "TV"})
"""Capitals almost every reader knows; not flagged."""

PLAINER_WORDS: dict[str, str] = {
    "utilise": "use",
    "utilize": "use",
    "leverage": "use",
    "facilitate": "help",
    "stakeholders": "the people involved",
    "synergy": "working together",
    "synergies": "working together",
    "holistic": "whole",
    "deliverables": "results",
    "going forward": "from now on",
    "best practice": "what works",
    "operationalise": "put into practice",
    "actionable": "practical",
    "paradigm": "way of thinking",
    "bandwidth": "time",
}
"""Jargon that puts people off, with a plainer word to use instead."""

CALLS_TO_ACTION = (
    "join",
    "come",
    "sign up",
    "register",
    "get in touch",
    "contact",
    "reply",
    "email",
    "e-mail",
    "say hello",
    "tell us",
    "book",
    "take part",
    "ask",
    "follow",
)
"""Words that tell the reader what to do next."""

_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_CAPITALS = re.compile(r"\b[A-Z][a-z]?[A-Z][A-Z0-9]*s?\b")


@dataclass(frozen=True)
class Advice:
    """One suggestion about a text: what kind, and what to do, in plain words."""

    kind: str
    message: str


def sentences(text: str) -> list[str]:
    """The sentences of a text: split at . ! or ? followed by a space, and at line breaks."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [part.strip() for part in parts if _WORD.search(part)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _quote_start(sentence: str, count: int = 5) -> str:
    first = words(sentence)[:count]
    return " ".join(first) + ("…" if len(words(sentence)) > count else "")


def invitation_feedback(text: str) -> list[Advice]:
    """Plain-language suggestions for an invitation; empty when there is nothing to say."""
    if not words(text):
        return []
    advice: list[Advice] = []
    long_ones = [
        (number, sentence)
        for number, sentence in enumerate(sentences(text), start=1)
        if len(words(sentence)) > LONG_SENTENCE
    ]
    for number, sentence in long_ones[:3]:
        advice.append(
            Advice(
                "long_sentence",
                f"Sentence {number} has {len(words(sentence))} words "
                f"(“{_quote_start(sentence)}”): split it; aim for at most {LONG_SENTENCE}.",
            )
        )
    if len(long_ones) > 3:
        advice.append(Advice("long_sentence", f"{len(long_ones) - 3} more long sentences."))
    capitals = []
    for found in _CAPITALS.findall(text):
        if found not in KNOWN_ABBREVIATIONS and found not in capitals:
            capitals.append(found)
    if capitals:
        advice.append(
            Advice(
                "capitals",
                f"Words in capitals: {', '.join(capitals[:6])}. Spell them out or explain them: "
                "a newcomer may not know them, and capitals can read as shouting.",
            )
        )
    lowered = " ".join(words(text)).casefold()
    for jargon, plain in PLAINER_WORDS.items():
        if re.search(rf"\b{re.escape(jargon)}\b", lowered):
            advice.append(Advice("jargon", f"“{jargon}” is jargon: try “{plain}”."))
    if not re.search(r"\b(you|your|you're|yourself)\b", lowered):
        advice.append(
            Advice("no_you", "Talk to the reader: “you” and “your” make an invitation personal.")
        )
    if not any(re.search(rf"\b{re.escape(cta)}\b", lowered) for cta in CALLS_TO_ACTION):
        advice.append(
            Advice(
                "no_call_to_action",
                "Say what to do next, for example “Join us at …”, “Come along to …” or "
                "“Reply to this message”.",
            )
        )
    return advice


def feedback_html(text: str) -> Markup:
    """The plain-language check of `text` as HTML (user text is escaped)."""
    if not words(text):
        body = Markup('<p class="swb-help">Suggestions appear here as you write.</p>')
    else:
        advice = invitation_feedback(text)
        if advice:
            body = Markup("<ul>{}</ul>").format(items_html(a.message for a in advice))
        else:
            body = Markup(
                "<p>Reads plainly: short sentences, no unexplained capitals or jargon, it talks "
                "to the reader and says what to do next.</p>"
            )
    return Markup(
        '<div class="swb-feedback" role="status" aria-live="polite">'
        "<h3>Plain-language check</h3>{}</div>"
    ).format(body)


# --- widgets --------------------------------------------------------------------------------


def roles_html() -> Markup:
    """What each role of the catalogue means, folded away until asked for."""
    roles = catalogues.active()["roles"].values()
    return Markup(
        '<details class="swb-help"><summary>What the roles mean</summary>{}</details>'
    ).format(definitions_html((entry.label, entry.description) for entry in roles))


def query_terms(plan_document: dict[str, Any]) -> list[str]:
    """What to look for in the list of existing groups: the SIG's name, theme and key phrases."""
    identity = plan_document.get("identity", {})
    return [identity.get("name", ""), identity.get("theme", ""), *identity.get("key_phrases", [])]


def _safe_url(url: str) -> str | None:
    return url if re.match(r"^https?://\S+$", url, re.IGNORECASE) else None


class ExistingGroups(widgets.VBox):
    """Load a list of groups, see those close to this SIG, tick the ones looked at, decide."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.groups: list[dict[str, str]] = []
        self.index: SearchIndex | None = None
        self.source = ""
        self.upload = list_upload(
            "Upload a list of groups",
            "An Excel or CSV file with a column for each group's name, theme and key phrases",
            widgets.Layout(width="auto", min_width="max-content"),
        )
        self.upload.observe(self._uploaded, names="value")
        self.sample_button = styles.button(
            "Use the sample list",
            tooltip="Load the invented list shipped with sigworkbook",
            fit=True,
        )
        on_click(self.sample_button, self.use_sample, reads_typing=False)
        self.message = styles.html()
        self.results = widgets.VBox()
        self.results.add_class("swb-matches")
        self._shown: str | None = None
        help_text = (
            "Load a spreadsheet (Excel or CSV) of groups and networks that exist already: its "
            "first row names the columns “Name”, “Theme” and “Key phrases”, and may add “URL” "
            "and “Contact”. The list stays on this page only; the groups you tick are saved."
        )
        session.on_change(self._plan_changed)
        super().__init__(
            [
                styles.html(help_html(help_text)),
                widgets.HBox([self.upload, self.sample_button]),
                self.message,
                self.results,
                LinesControl(session, CONSIDERED),
                form(
                    session,
                    ["statement.existing_groups.decision", "statement.existing_groups.reason"],
                ),
            ],
            layout=styles.layout(width="100%"),
        )

    # --- loading ---

    def load(self, data: bytes | str, source: str) -> bool:
        """Read a CSV of existing groups and show the best matches; False (and why) if unusable."""
        try:
            groups = read_records(
                data, GROUP_COLUMNS, optional=OPTIONAL_COLUMNS, non_empty=("name",)
            )
        except RecordsError as error:
            self.message.value = error_html(f"{source}: {error}")
            return False
        self.groups, self.source = groups, source
        self.index = SearchIndex(groups, GROUP_COLUMNS)
        self.message.value = Markup(
            '<p class="swb-help" role="status">{:,} {} read from {}.</p>'
        ).format(len(groups), "group" if len(groups) == 1 else "groups", source)
        self._render(force=True)
        return True

    def use_sample(self) -> bool:
        return self.load(SAMPLE_GROUPS.read_bytes(), "the sample list")

    def _uploaded(self, change: dict[str, Any]) -> None:
        files: Sequence[Any] = change["new"] or ()
        if not files:
            return
        item = files[0]
        name = str(item.get("name") or "the uploaded file")
        size = int(item.get("size") or 0)
        if size > MAX_BYTES:
            self.message.value = error_html(
                f"{name}: the file is {size // 1_000_000} MB; at most {MAX_BYTES // 1_000_000} MB"
            )
        else:
            self.load(bytes(item["content"]), name)
        self.upload.value = ()

    # --- matches ---

    @property
    def matches(self) -> list[Match]:
        if self.index is None:
            return []
        return self.index.search(query_terms(self.session.document), MATCH_LIMIT)

    def _considered(self) -> list[str]:
        value = self.session.value(CONSIDERED)
        return [str(v) for v in value] if isinstance(value, list) else []

    def mark(self, group_name: str, looked_at: bool) -> bool:
        """Add the group to (or take it off) the groups looked at; True when saved."""

        def change(current: Any) -> list[str]:
            names = [str(v) for v in current or []]
            kept = [g for g in names if g.casefold() != group_name.casefold()]
            return [*kept, group_name] if looked_at else kept

        ok = self.session.update(CONSIDERED, change)
        if not ok:
            self.message.value = error_html(self.session.status.message)
        self._render(force=True)
        return ok

    def _plan_changed(self, loaded: Loaded) -> None:
        self._render()

    def _render(self, force: bool = False) -> None:
        if not self.groups:
            return
        document = self.session.document
        signature = json.dumps([query_terms(document), self._considered()])
        if signature == self._shown and not force:
            return
        self._shown = signature
        terms = [t for t in query_terms(document) if t.strip()]
        matches = self.matches
        if not matches:
            searched = ", ".join(f"“{t}”" for t in terms) or "nothing yet"
            self.results.children = [
                styles.html(
                    Markup(
                        '<p class="swb-notice">No group in the list comes close to '
                        "{}. Add key phrases above to widen the search.</p>"
                    ).format(searched)
                )
            ]
            return
        considered = {c.casefold() for c in self._considered()}
        rows: list[widgets.Widget] = [
            styles.html(
                Markup(
                    "<h3>Closest groups ({} of {})</h3>"
                    '<p class="swb-help">Tick each group you have looked at.</p>'
                ).format(len(matches), len(self.groups))
            )
        ]
        rows += [self._row(match, considered) for match in matches]
        self.results.children = rows

    def _row(self, match: Match, considered: set[str]) -> widgets.VBox:
        record = match.record
        name = record["name"]
        found = "; ".join(where_found(hit) for hit in match.hits[:3])
        url = _safe_url(record.get("url", ""))
        link = (
            Markup(' <a href="{}" target="_blank" rel="noopener noreferrer">Visit {}</a>').format(
                url, name
            )
            if url
            else ""
        )
        details = styles.html(
            Markup(
                "<p><strong>{}</strong>: {}.{}<br><span class='swb-help'>Key phrases: "
                "{}. Found {}.</span></p>"
            ).format(name, record.get("theme", ""), link, record.get("key_phrases", ""), found)
        )
        tick = widgets.Checkbox(
            value=name.casefold() in considered,
            description=f"We looked at “{name}”",
            indent=False,
        )
        tick.observe(lambda change: self.mark(name, bool(change["new"])), names="value")
        row = widgets.VBox([details, tick])
        row.add_class("swb-row")
        row.tick = tick
        row.group_name = name
        return row

    def row_for(self, name: str) -> widgets.VBox:
        """The shown row of the group called `name`."""
        for row in self.results.children:
            if getattr(row, "group_name", None) == name:
                return row
        raise KeyError(name)


class Invitation(widgets.VBox):
    """The invitation draft with its length count and plain-language suggestions as you type."""

    def __init__(self, session: Session) -> None:
        self.control = FieldControl(session, "statement.invitation")
        self.feedback = styles.html()
        self.control.input.observe(lambda _: self._update(), names="value")
        super().__init__([self.control, self.feedback], layout=styles.layout(width="100%"))
        self._update()

    def _update(self) -> None:
        self.feedback.value = feedback_html(self.control.input.value or "")


CARES = (
    "statement.area_of_action",
    "statement.challenges",
    "statement.wider_help",
    "identity.learning_question",
    "identity.key_phrases",
)
"""The fields of "What you care about"."""


def build(page: Page) -> widgets.Widget:
    """The core-group page's form (below the people, built once the page is on screen)."""
    session = page.session
    people = RowsEditor(
        session,
        "core_group.people",
        ["name", "organisation", "role", "contact", "network_member"],
        add_label="Add a person",
    )
    content = widgets.VBox(
        [card("People and roles", people, styles.html(roles_html()))],
        layout=styles.layout(width="100%"),
    )
    content.people = people

    def existing() -> list[widgets.Widget]:
        content.existing = ExistingGroups(session)
        return [content.existing]

    def statement() -> list[widgets.Widget]:
        content.invitation = Invitation(session)
        return [FieldControl(session, "statement.core_statement"), content.invitation]

    content.children = (
        *content.children,
        later(card("What you care about"), lambda: [form(session, list(CARES))]),
        later(card("Is there a group like this already?"), existing),
        later(card("Core statement and invitation"), statement),
    )
    return content


__all__ = [
    "Advice",
    "ExistingGroups",
    "Invitation",
    "build",
    "feedback_html",
    "invitation_feedback",
    "sentences",
]


def closeness(score: float) -> str:
    """How closely a group matches, in words rather than a percentage."""
    if score >= 95:
        return "an exact match"
    if score >= 80:
        return "a close match"
    return "a partial match"
