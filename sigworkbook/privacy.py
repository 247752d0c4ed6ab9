"""Personal data in words: a person's report (text and JSON), the operator's log of lookups,
erasures and deletions (never the data), the retention period and the privacy notice."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final

from sigworkbook import settings
from sigworkbook.hosting.access import log_to_server
from sigworkbook.store import Erasure, Place

log = logging.getLogger("sigworkbook.privacy")

WHERE: Final = {
    "plan": "current plan",
    "history": "history",
    "member": "members",
    "listing": "listing submissions",
    "closed": "closed by",
    "presence": "open pages",
    "erasures": "record of erasures",
}
NOTICE_TITLE: Final = "How your information is used"


def count(number: int, noun: str) -> str:
    """ "1 SIG", "2 SIGs"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def local_user() -> str:
    """This computer's user, who an erasure is recorded under without a hub."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "the workspace's user"


def log_lookup(by: str, places: Sequence[Place]) -> None:
    """Log that `by` looked a person up: how much was found, not whom or what."""
    log_to_server(log)
    sigs = len({place.sig_id for place in places if place.sig_id})
    log.info("person lookup by %s: %s in %s", by, count(len(places), "place"), count(sigs, "SIG"))


def log_erasure(erasure: Erasure) -> None:
    log_to_server(log)
    log.info(
        "erasure %d by %s: %s in %s replaced by %r",
        erasure.number,
        erasure.by,
        count(erasure.places, "place"),
        count(erasure.sigs, "SIG"),
        erasure.placeholder,
    )


def log_deletion(erasure: Erasure) -> None:
    log_to_server(log)
    log.info(
        "deletion %d by %s: a SIG with %s deleted",
        erasure.number,
        erasure.by,
        count(erasure.places, "revision"),
    )


def log_closing(by: str, closed: bool) -> None:
    log_to_server(log)
    log.info("a SIG %s by %s", "closed" if closed else "reopened", by)


def past_retention(
    updated: dict[str, dt.datetime], days: int | None, today: dt.date | None = None
) -> list[str]:
    """The SIGs last changed more than `days` days before `today` (none without a period)."""
    if days is None:
        return []
    today = today or settings.TODAY.read() or dt.date.today()
    limit = today - dt.timedelta(days=days)
    return sorted(sig_id for sig_id, at in updated.items() if at.date() < limit)


def as_json(name: str, places: Sequence[Place]) -> dict[str, Any]:
    """The report as JSON: for each SIG, each place with what is held there."""
    sigs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for place in places:
        entry: dict[str, Any] = {"where": place.where, "field": place.path, "text": place.text}
        if place.revision is not None:
            entry["revision"] = place.revision
        sigs[place.sig_id].append(entry)
    return {
        "person": name,
        "places": len(places),
        "sigs": [{"sig": sig_id or None, "places": found} for sig_id, found in sigs.items()],
    }


def as_text(name: str, places: Sequence[Place]) -> str:
    """The report in words: SIG by SIG, where the person's name or contact is and what it says."""
    if not places:
        return f"Nothing about {name} is held here.\n"
    sigs: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        sigs[place.sig_id].append(place)
    held = f"{count(len(places), 'place')} in {count(len([s for s in sigs if s]), 'SIG')}"
    lines = [f"What is held about {name}: {held}.", ""]
    for sig_id, found in sigs.items():
        lines.append(f"SIG {sig_id}:" if sig_id else "Outside any SIG:")
        for place in found:
            where = WHERE.get(place.where, place.where)
            if place.revision is not None:
                where = f"revision {place.revision}"
            text = " ".join(place.text.split())
            shown = text if len(text) <= 200 else text[:197] + "..."
            lines.append(f"  {where}, {place.path}: {shown}")
        lines.append("")
    return "\n".join(lines)


def erasure_summary(name: str, places: Sequence[Place]) -> str:
    """What an erasure will do, for the confirmation: how many places in which SIGs."""
    sigs = sorted({place.sig_id for place in places if place.sig_id})
    revisions = len({(p.sig_id, p.revision) for p in places if p.revision is not None})
    return (
        f"{name} (and their contact) will be replaced by a placeholder in "
        f"{count(len(places), 'place')} in {count(len(sigs), 'SIG')} ({', '.join(sigs) or 'none'})"
        f": the current plans, {count(revisions, 'revision')} of their history, authorship, "
        "votes and notes; their memberships go. "
        "This cannot be undone."
    )


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def notice(workspace: Path | None = None) -> tuple[str | None, str]:
    """The privacy notice the start page links to: (web address, None) when the operator set
    one, else (None, the Markdown text): the operator's file or the one that comes with us."""
    chosen = settings.PRIVACY_NOTICE.read()
    if chosen and chosen.lower().startswith(("https://", "http://")):
        return chosen, ""
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_absolute() and workspace is not None:
            path = workspace / path
        try:
            return None, path.read_text(encoding="utf-8")
        except OSError as error:
            raise settings.SettingError(
                f"privacy_notice: cannot read {path}: {error.strerror}"
            ) from None
    text = resources.files("sigworkbook.data").joinpath("privacy-notice.md").read_text("utf-8")
    return None, text
