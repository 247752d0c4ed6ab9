"""Value types shared by the plan model: checked text, ids, links, time zones and catalogue keys."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from sigworkbook.plan import catalogues
from sigworkbook.plan.catalogues import CatalogueName
from sigworkbook.plan.kinds import LINE, PROSE, TIME_ZONE
from sigworkbook.plan.people import clean_name

# Unicode's control characters (category Cc) and lone surrogates (Cs) as compiled character
# classes: scanning long text character by character made every save slow.
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_PROSE_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # tab, newline pass
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _control_characters(value: str, pattern: re.Pattern[str]) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in pattern.findall(value)]


def check_line(value: str) -> str:
    bad = _control_characters(value, _LINE_CONTROLS)
    if bad:
        raise ValueError(
            "must be a single line without control characters (found " + ", ".join(bad[:3]) + ")"
        )
    return value


def _normalise_newlines(value: Any) -> Any:
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _check_prose(value: str) -> str:
    bad = _control_characters(value, _PROSE_CONTROLS)
    if bad:
        raise ValueError("must not contain control characters (found " + ", ".join(bad[:3]) + ")")
    return value


Line = Annotated[str, AfterValidator(check_line), LINE]
"""One line of text: no line breaks or other control characters."""

Name = Annotated[str, BeforeValidator(clean_name), AfterValidator(check_line), LINE]
"""The name of a person or a SIG: one line, stored as `people.clean_name` cleans it, so two
names that look the same are the same."""

Prose = Annotated[str, BeforeValidator(_normalise_newlines), AfterValidator(_check_prose), PROSE]
"""Text that may span several lines and paragraphs."""

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
"""A SIG's id: lower-case letters, digits and inner hyphens, safe in file names and URLs."""

ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{6,32}$")]
"""A stable id for one row of a table (an activity, a measure, ...), kept across exports."""


def new_id() -> str:
    """A fresh random row id."""
    return secrets.token_hex(6)


def _transliterated(name: str) -> str:
    """`name` in ASCII letters: each character as anyascii spells it (Ł -> L, ß -> ss,
    ж -> zh, 東 -> Dong), an ideograph as a word of its own, symbols such as emoji left out."""
    from anyascii import anyascii

    parts = []
    for char in unicodedata.normalize("NFC", name):
        if unicodedata.category(char) in ("So", "Sk"):
            continue
        spelt = anyascii(char)
        ideograph = unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")
        parts.append(f" {spelt} " if ideograph else spelt)
    return "".join(parts)


def slugify(name: str) -> str:
    """A SIG id derived from its name: ASCII, lower case, hyphens, at most 64 characters.

    Letters of any script keep their sound ('Łódź Carers' -> 'lodz-carers', 'Straße' ->
    'strasse', 'Забота' -> 'zabota'); 'sig' only when nothing of the name can be spelt.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", _transliterated(name).lower()).strip("-")[:64].strip("-")
    return slug or "sig"


def _check_link(value: str) -> str:
    check_line(value)
    if value and not _LINK.match(value):
        raise ValueError("must be a web address starting with https:// or http://")
    return value


Link = Annotated[str, AfterValidator(_check_link), LINE]
"""Empty, or an http(s) web address."""


def _check_hashtag(value: str) -> str:
    if value and not re.fullmatch(r"#\w{1,99}", value):
        raise ValueError("must be one # followed by letters, digits or underscores, e.g. #SIGchat")
    return value


Hashtag = Annotated[str, AfterValidator(_check_hashtag), LINE]


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every time zone name this machine knows (IANA names such as Europe/London), sorted."""
    return tuple(sorted(_time_zones()))


def _check_time_zone(value: str) -> str:
    if value not in _time_zones():
        import difflib

        close = difflib.get_close_matches(value, time_zone_names(), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "use a name like Europe/London or UTC"
        raise ValueError(f"'{value}' is not a known time zone ({hint})")
    return value


TimeZone = Annotated[str, AfterValidator(_check_time_zone), TIME_ZONE]


def skipped_local_time(moment: dt.datetime, zone: str) -> bool:
    """Whether the naive local `moment` never happens in `zone` (the clocks jump over it).

    Raises ValueError (the field's one-line message) for a moment outside the plan's years.
    """
    check_year(moment)
    aware = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return aware.astimezone(dt.UTC).astimezone(aware.tzinfo).replace(tzinfo=None) != moment


_Moment = TypeVar("_Moment", bound=dt.date)

MIN_YEAR = 1900
MAX_YEAR = 2199
"""The years a plan's dates may fall in: the one rule the model, the CLI and the page's script
share (the date controls carry it to the script). Far from Python's limits, so no arithmetic
on a stored date (to UTC, recurrences, calendar end times) can overflow."""

YEARS_KEY = "x-years"
"""Where a date field's JSON schema carries its range of years, for the forms and the script."""


def check_year(value: _Moment) -> _Moment:
    """`value` if its year is between MIN_YEAR and MAX_YEAR, else ValueError saying so."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(
            f"the year {value.year} cannot be right: use a year between {MIN_YEAR} and {MAX_YEAR}"
        )
    return value


_YEARS = Field(json_schema_extra={YEARS_KEY: [MIN_YEAR, MAX_YEAR]})

CalendarDate = Annotated[dt.date, AfterValidator(check_year), _YEARS]
"""A day in the plan's range of years (see MIN_YEAR)."""

LocalDateTime = Annotated[dt.datetime, AfterValidator(check_year), _YEARS]
"""A local date and time in the plan's range of years; its time zone is kept beside it."""


def _catalogue_check(name: CatalogueName) -> Callable[[str], str]:
    def check(value: str) -> str:
        entries = catalogues.active()[name]
        if value not in entries:
            choices = ", ".join(entries)
            raise ValueError(f"'{value}' is not in the {name.replace('_', ' ')} list ({choices})")
        return value

    return check


def catalogue_key(name: CatalogueName) -> Any:
    """A text type whose value must be a key of the named catalogue."""
    return Annotated[
        str,
        AfterValidator(_catalogue_check(name)),
        Field(json_schema_extra={"x-catalogue": name}),
    ]


RoleKey = catalogue_key("roles")
ActivityTypeKey = catalogue_key("activity_types")
ChannelKey = catalogue_key("channels")
ValueKindKey = catalogue_key("value_kinds")
FollowOnKey = catalogue_key("follow_on_actions")
LifecycleKey = catalogue_key("lifecycle_stages")
