"""What the export templates can use: the plan plus ready-made rows, labels and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sigworkbook.exports import timing
from sigworkbook.plan import catalogues, wording
from sigworkbook.plan.blank import without_blank_rows
from sigworkbook.plan.catalogues import CatalogueName
from sigworkbook.plan.fields import label
from sigworkbook.plan.model import (
    CONVENER_ROLES,
    DECISION_LABELS,
    OPENNESS_LABELS,
    STATUS_LABELS,
    Activity,
    Plan,
)
from sigworkbook.plan.recurrence import to_utc
from sigworkbook.plan.voting import decision_text


@dataclass(frozen=True)
class PersonRow:
    """One member of the core group, with their role's label."""

    name: str
    organisation: str
    role: str
    contact: str
    network_member: bool | None
    """None while nobody has answered (blank in the documents)."""
    convener: bool


@dataclass(frozen=True)
class ActivityRow:
    """One activity with everything a schedule summary shows already worded."""

    id: str
    title: str
    type: str
    first: str
    """When the first occurrence happens ('' without a start)."""
    next: str
    """When the next occurrence after the export date happens ('' when none is left)."""
    repeats: str
    duration: str
    location: str
    link: str
    owner: str
    hashtag: str
    status: str
    notes: str
    dated: bool
    upcoming: bool
    """Planned, dated and with an occurrence at or after the export date."""


@dataclass(frozen=True)
class PromotionRow:
    """One promotion action, with its draft's length against the channel's limit."""

    channel: str
    date: str
    owner: str
    draft: str
    status: str
    length: int
    limit: int | None
    over: int
    """How many characters the draft is over the limit (0 when within it or unlimited)."""


@dataclass(frozen=True)
class MeasureRow:
    """One measure of success with its kind of value worded."""

    indicator: str
    kind: str
    target: str
    review_date: str


def _catalogue_label(name: CatalogueName, key: str | None) -> str:
    return catalogues.active().label(name, key) if key else ""


def _activity_row(activity: Activity, exported_at: dt.datetime) -> ActivityRow:
    first = next_ = ""
    upcoming = False
    if activity.start is not None:
        first = wording.when_text(activity, activity.start)
        coming = timing.next_occurrence(activity, exported_at)
        if coming is not None:
            next_ = wording.when_text(activity, coming)
            upcoming = activity.status == "planned"
    return ActivityRow(
        id=activity.id,
        title=activity.title.strip() or _catalogue_label("activity_types", activity.type),
        type=_catalogue_label("activity_types", activity.type),
        first=first,
        next=next_,
        repeats=wording.repeats_text(activity),
        duration=wording.duration_text(activity.duration_minutes),
        location=activity.location,
        link=activity.link,
        owner=activity.owner,
        hashtag=activity.hashtag,
        status=STATUS_LABELS[activity.status],
        notes=activity.notes,
        dated=activity.start is not None,
        upcoming=upcoming,
    )


def _sort_key(activity: Activity, moment: dt.datetime | None) -> tuple[dt.datetime, str]:
    if moment is None:
        return dt.datetime.max.replace(tzinfo=dt.UTC), activity.id
    return to_utc(activity, moment), activity.id


def _promotion_rows(plan: Plan) -> list[PromotionRow]:
    """The promotion actions by date (undated last, otherwise in the plan's order)."""
    active = catalogues.active()
    rows = []
    for action in plan.promotion.actions_by_date():
        limit = active.char_limit(action.channel)
        length = len(action.draft)
        rows.append(
            PromotionRow(
                channel=active.label("channels", action.channel),
                date=wording.long_date(action.date) if action.date else "",
                owner=action.owner,
                draft=action.draft,
                status=STATUS_LABELS[action.status],
                length=length,
                limit=limit,
                over=max(0, length - limit) if limit is not None else 0,
            )
        )
    return rows


def _name_decided(plan: Plan) -> str:
    """How the name was chosen ('Chosen by the core group on ...'), while it is still that name."""
    record = plan.identity.name_decision
    if record is None or record.name != plan.identity.name:
        return ""
    return decision_text(record.model_dump(mode="json"))


def build(plan: Plan, *, revision: int, exported_at: dt.datetime) -> dict[str, Any]:
    """The variables every template gets (documented in docs/exports.md)."""
    plan = without_blank_rows(plan)  # a row nobody typed in is no person, activity, ...
    people = [
        PersonRow(
            name=p.name,
            organisation=p.organisation,
            role=_catalogue_label("roles", p.role),
            contact=p.contact,
            network_member=p.network_member,
            convener=p.role in CONVENER_ROLES,
        )
        for p in plan.core_group.people
    ]
    activities = plan.schedule.activities
    dated = sorted((a for a in activities if a.start), key=lambda a: _sort_key(a, a.start))
    upcoming = sorted(
        (a for a in dated if a.status == "planned"),
        key=lambda a: _sort_key(a, timing.next_occurrence(a, exported_at)),
    )
    rows = {a.id: _activity_row(a, exported_at) for a in activities}
    charter = plan.charter
    return {
        "plan": plan,
        "name": plan.identity.name,
        "revision": revision,
        "exported_at": exported_at,
        "exported": timing.stamp(exported_at),
        "exported_day": wording.long_date(exported_at.astimezone(dt.UTC).date()),
        "people": people,
        "conveners": [p for p in people if p.convener],
        "activities": [rows[a.id] for a in dated],
        "upcoming": [rows[a.id] for a in upcoming if rows[a.id].upcoming],
        "undated": [rows[a.id] for a in activities if a.start is None],
        "promotion": _promotion_rows(plan),
        "measures": [
            MeasureRow(
                indicator=m.indicator,
                kind=_catalogue_label("value_kinds", m.value_kind),
                target=m.target,
                review_date=wording.long_date(m.review_date) if m.review_date else "",
            )
            for m in charter.measures
        ],
        "lifecycle_stage": _catalogue_label("lifecycle_stages", charter.lifecycle_stage),
        "openness": OPENNESS_LABELS[charter.membership.openness],
        "decision": DECISION_LABELS.get(plan.statement.existing_groups.decision or "", ""),
        "review_date": wording.long_date(charter.review_date) if charter.review_date else "",
        "name_decided": _name_decided(plan),
        "label": label,
        "catalogue_label": _catalogue_label,
    }
