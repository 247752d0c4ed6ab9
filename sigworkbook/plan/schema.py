"""The JSON Schema of the plan, with the active catalogues' keys filled in as enums."""

from __future__ import annotations

from typing import Any

from sigworkbook.plan import catalogues
from sigworkbook.plan.model import Plan


def _fill_catalogues(node: Any, active: catalogues.Catalogues) -> None:
    if isinstance(node, dict):
        name = node.get("x-catalogue")
        if name in catalogues.CATALOGUE_NAMES:
            node["enum"] = list(active[name])
        for value in node.values():
            _fill_catalogues(value, active)
    elif isinstance(node, list):
        for value in node:
            _fill_catalogues(value, active)


def plan_schema() -> dict[str, Any]:
    """The JSON Schema an exported plan follows."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _fill_catalogues(schema, catalogues.active())
    return schema
