"""Find people to invite: load a member directory (Excel or CSV), search it, keep the chosen in the plan."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import ipywidgets as widgets

from sigworkbook.lists.matching import Match, RecordsError, SearchIndex
from sigworkbook.lists.members import (
    describe,
    directory_index,
    found_in,
    parse_terms,
    read_directory,
)
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan.model import Invitee, Plan
from sigworkbook.resources import data_file
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.parts import error_html
from sigworkbook.ui.uploads import list_upload
from sigworkbook.workspace import Loaded

SAMPLE_DIRECTORY = data_file("sample", "member-directory.csv")
RESULT_LIMIT = 25
INVITEES = "promotion.invitees"
REASON_MAX = 300


def default_terms(plan: Plan) -> list[str]:
    """The search prefilled from the plan: the theme, then the key phrases."""
    terms: dict[str, str] = {}
    for term in (plan.identity.theme, *plan.identity.key_phrases):
        terms.setdefault(" ".join(term.split()).casefold(), term.strip())
    return [term for key, term in terms.items() if key]


def person_key(name: str, organisation: str) -> tuple[str, str]:
    """Who someone is, for telling whether they are invited already (case is ignored)."""
    return " ".join(name.split()).casefold(), " ".join(organisation.split()).casefold()


def reason_for(match: Match) -> str:
    """Why this person was found, in words, for the invitee's 'why invite them'."""
    interests = list(dict.fromkeys(h.text for h in match.hits if h.field == "interests"))
    others = list(dict.fromkeys(h.text for h in match.hits if h.field != "interests"))
    parts = []
    if interests:
        parts.append("Interested in " + ", ".join(interests))
    if others:
        parts.append("Role: " + ", ".join(others))
    reason = "; ".join(parts) or "Found in the member directory"
    return reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"


def invitee_from(match: Match) -> dict[str, str]:
    record = match.record
    return {
        "name": record.get("name", "").strip(),
        "organisation": record.get("organisation", "").strip(),
        "reason": reason_for(match),
    }


def people(count: int) -> str:
    """'1 person', '20,000 people'."""
    return f"{count:,} {'person' if count == 1 else 'people'}"


class Result(widgets.VBox):
    """One person found: a checkbox to invite them, and what they matched."""

    def __init__(self, match: Match) -> None:
        self.match = match
        record = match.record
        self.key = person_key(record.get("name", ""), record.get("organisation", ""))
        self.checkbox = widgets.Checkbox(
            description=f"Invite {describe(record)}",
            indent=False,
            layout=styles.layout(width="100%"),
        )
        found = found_in(match)
        interests = record.get("interests", "")
        also = f" · Interests: {interests}" if interests else ""
        self.detail = styles.html(
            Markup('<div class="swb-help">Found {}{}</div>').format(found, also)
        )
        super().__init__([self.checkbox, self.detail])
        self.add_class("swb-result")


class DirectorySearch(widgets.VBox):
    """Load a member directory, search it, and tick the people to invite (kept in the plan)."""

    def __init__(self, session: Session, *, limit: int = RESULT_LIMIT) -> None:
        self.session = session
        self.limit = limit
        self.records: list[dict[str, str]] = []
        self.index: SearchIndex | None = None
        self.source_name = ""
        self.matches: list[Match] = []
        self._syncing = False
        self._shown: list[Invitee] | None = None

        self.upload = list_upload(
            "Upload a directory (Excel or CSV)",
            "An Excel or CSV file with a column for each person's name, organisation and interests",
            widgets.Layout(width="auto"),
        )
        self.upload.observe(self._uploaded, names="value")
        self.sample_button = styles.button("Use the sample directory", fit=True, align="flex-start")
        on_click(self.sample_button, self.use_sample, reads_typing=False)
        self.source = styles.html(
            '<p class="swb-help">No directory loaded yet: upload an Excel workbook (.xlsx) or '
            "a CSV file whose first row names the columns “name”, “organisation” and "
            "“interests” (and, if you have them, “role” and “region”), or try the sample.</p>"
        )
        terms = default_terms(session.loaded.plan)
        self.query = widgets.Textarea(
            description="Search for (one term per line or separated by ;)",
            value="\n".join(terms),
            rows=max(3, min(len(terms), 8)),
            layout=styles.layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.search_button = styles.button("Search the directory", fit=True, align="flex-start")
        on_click(self.search_button, self.search, reads_typing=True)
        self.summary = styles.html()
        self.results = widgets.VBox()
        self.invited = widgets.VBox()
        self.message = styles.html()
        loaders = widgets.HBox([self.upload, self.sample_button])
        loaders.add_class("swb-adder")
        super().__init__(
            [
                loaders,
                self.source,
                self.query,
                self.search_button,
                self.summary,
                self.results,
                self.message,
                styles.html("<h3>People to invite</h3>"),
                self.invited,
            ],
            layout=styles.layout(width="100%"),
        )
        self.add_class("swb-directory")
        session.on_change(self._plan_changed)
        self._show_invited()

    # --- loading ------------------------------------------------------------------------

    def load(self, data: bytes | str, source_name: str) -> bool:
        """Read a directory file; on a problem keep the previous one and say what is wrong."""
        try:
            records = read_directory(data)
        except RecordsError as error:
            self.source.value = error_html(f"{source_name}: {error}")
            return False
        self.records, self.source_name = records, source_name
        self.index = directory_index(records)
        self.source.value = Markup(
            '<p class="swb-notice" role="status">{} loaded from {}.</p>'
        ).format(people(len(records)), source_name)
        self.search()
        return True

    def use_sample(self) -> bool:
        """Load the invented sample directory shipped with the workbook."""
        return self.load(SAMPLE_DIRECTORY.read_bytes(), "the sample directory (invented people)")

    def _uploaded(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        self.load(bytes(upload["content"]), str(upload.get("name") or "the uploaded file"))
        self.upload.value = ()  # so that choosing the same file again (after fixing it) reloads

    # --- searching ----------------------------------------------------------------------

    def search(self, text: str | None = None) -> list[Match]:
        """Search the loaded directory for the terms in the box (or in `text`)."""
        if text is not None:
            self.query.value = text
        terms = parse_terms(self.query.value)
        if not self.records or self.index is None:
            self.summary.value = (
                '<p class="swb-error" role="alert">Load a directory first: '
                "upload an Excel or CSV file or use the sample.</p>"
            )
            return []
        if not terms:
            self.summary.value = (
                '<p class="swb-error" role="alert">Search for: type at least one term.</p>'
            )
            self.matches = []
            self.results.children = ()
            return []
        found = self.index.find(terms, limit=self.limit)
        self.matches = found.matches
        shown = f"; showing the best {len(self.matches)}" if found.total > len(self.matches) else ""
        self.summary.value = Markup('<p class="swb-notice" role="status">{} {}{}.</p>').format(
            people(found.total), "matches" if found.total == 1 else "match", shown
        )
        rows = [Result(match) for match in self.matches]
        for row in rows:
            row.checkbox.observe(lambda change, row=row: self._ticked(row, change), names="value")
        self.results.children = rows
        self._sync_ticks()
        return self.matches

    # --- choosing -----------------------------------------------------------------------

    def _save(self, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> bool:
        ok = self.session.update(INVITEES, lambda current: change(list(current or [])))
        self.message.value = "" if ok else error_html(self.session.status.message)
        self._sync_ticks()
        self._show_invited()
        return ok

    def invite(self, match: Match) -> bool:
        """Add the person of `match` to the people to invite (once)."""
        person = invitee_from(match)
        key = person_key(person["name"], person["organisation"])

        def add(invitees: list[dict[str, Any]]) -> list[dict[str, Any]]:
            known = any(person_key(i["name"], i["organisation"]) == key for i in invitees)
            return invitees if known else [*invitees, person]

        return self._save(add)

    def uninvite(self, name: str, organisation: str) -> bool:
        """Take someone off the people to invite (the history keeps them)."""
        key = person_key(name, organisation)
        return self._save(
            lambda invitees: [
                i for i in invitees if person_key(i["name"], i["organisation"]) != key
            ]
        )

    def _ticked(self, row: Result, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        if change["new"]:
            self.invite(row.match)
        else:
            record = row.match.record
            self.uninvite(record.get("name", ""), record.get("organisation", ""))

    # --- showing the plan ---------------------------------------------------------------

    def _invited_keys(self) -> set[tuple[str, str]]:
        return {
            person_key(i.name, i.organisation) for i in self.session.loaded.plan.promotion.invitees
        }

    def _sync_ticks(self) -> None:
        keys = self._invited_keys()
        self._syncing = True
        try:
            for row in self.results.children:
                row.checkbox.value = row.key in keys
        finally:
            self._syncing = False

    def _show_invited(self) -> None:
        invitees = self.session.loaded.plan.promotion.invitees
        if invitees == self._shown:
            return
        self._shown = list(invitees)
        if not invitees:
            self.invited.children = (
                styles.html('<p class="swb-help">Nobody chosen yet: tick people above.</p>'),
            )
            return
        rows: list[widgets.Widget] = []
        for invitee in invitees:
            text = Markup("{}").format(invitee.name)
            if invitee.organisation:
                text += f", {invitee.organisation}"
            if invitee.reason:
                text += Markup(' <span class="swb-help">— {}</span>').format(invitee.reason)
            remove = widgets.Button(description="Remove", tooltip=f"Remove {invitee.name}")
            remove.add_class("swb-remove")
            on_click(
                remove,
                partial(self.uninvite, invitee.name, invitee.organisation),
                reads_typing=False,
            )
            row = widgets.HBox([styles.html(text), remove])
            row.add_class("swb-row")
            rows.append(row)
        self.invited.children = rows

    def _plan_changed(self, loaded: Loaded) -> None:
        self._sync_ticks()
        self._show_invited()
