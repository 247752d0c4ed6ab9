"""Checking a whole plan against the model, with messages that name the field and the problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sigworkbook.errors import SigworkbookError
from sigworkbook.plan.fields import in_words, label
from sigworkbook.plan.model import Plan


@dataclass(frozen=True)
class Problem:
    """One refused value: where it is and what is wrong with it."""

    path: str
    label: str
    message: str
    place: str = ""
    """Where the value is, in words (a table row counted from 1, with its title); made from the
    path alone when not given."""

    def __str__(self) -> str:
        if not self.path:
            return f"The plan: {self.message}"
        return f"{self.place or in_words(self.path)}: {self.message}"


class PlanError(SigworkbookError, ValueError):
    """Input that cannot be accepted; nothing was saved. `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    def for_path(self, path: str) -> list[Problem]:
        """The problems at `path` or inside it."""
        return [p for p in self.problems if p.path == path or p.path.startswith(path + ".")]


def _message(error: Any) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "is not a field of the plan"
    if kind == "missing":
        return "is required"
    if kind in ("string_too_long", "too_long"):
        limit = error.get("ctx", {}).get("max_length")
        unit = "characters" if kind == "string_too_long" else "entries"
        given = error.get("input")
        if isinstance(given, str | list) and isinstance(limit, int) and len(given) > limit:
            return (
                f"is too long: at most {limit} {unit}, and this has {len(given)} "
                f"({len(given) - limit} over); shorten it to save it"
            )
        return f"is too long: at most {limit} {unit}"
    if kind == "string_pattern_mismatch":
        return "is not in the expected form"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return "must be a whole number, such as 60"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind == "literal_error":
        return "must be one of " + str(error.get("ctx", {}).get("expected", ""))
    return message[0].lower() + message[1:] if message else kind


def problems_from(error: ValidationError, document: Any = None) -> list[Problem]:
    """Turn pydantic's report into problems keyed by dotted plan path, each placed in words
    (with the titles of table rows read from `document`, when given)."""
    problems = []
    for item in error.errors():
        # pydantic appends validator names (e.g. 'function-after[...]') for Annotated types,
        # and '[key]' when a map's key (rather than its value) is refused.
        loc = [
            str(part)
            for part in item["loc"]
            if not str(part).startswith(("function-", "lax-")) and part != "[key]"
        ]
        path = ".".join(loc)
        problems.append(Problem(path, label(path), _message(item), in_words(path, document)))
    return problems


def validate_plan(document: dict[str, Any]) -> Plan:
    """The plan in `document`, or PlanError naming every field that is wrong."""
    try:
        return Plan.model_validate(document)
    except ValidationError as error:
        raise PlanError(problems_from(error, document)) from None


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """Validate `document` and return it as the JSON-compatible dict the store keeps."""
    return validate_plan(document).model_dump(mode="json")
