"""Hostile text a user might type, and plans filled with it, for tests of every output.

HOSTILE_LINES fit a one-line field; HOSTILE_PROSE hold line breaks; HOSTILE is both. Each string
is valid input (the model accepts it), so it reaches every export unchanged.
`fill_plan(document, text)` puts one text into every free-text field of a plan document (one-line
fields get it on one line, cut to their limit); `twin(text)` is harmless text of the same shape.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from repo_paths import PACKAGE

from sigworkbook.plan.fields import field_spec
from sigworkbook.plan.model import Plan

DEMO_PLAN = PACKAGE / "data" / "demo-plan.json"

HOSTILE_LINES: tuple[str, ...] = (
    # Markdown structure
    "# Heading",
    "###### Six",
    "Title #",
    "Closing ##",
    "> quoted",
    "- bullet",
    "* bullet",
    "+ bullet",
    "1. ordered",
    "2024) ordered",
    "---",
    "***",
    "___",
    "===",
    "- - -",
    "| a | b |",
    "|---|---|",
    "a | b",
    "    indented code",
    "\tindented with a tab",
    "```python",
    "~~~",
    "`code` and ``more``",
    "**bold** __bold__ *em* _em_ ~~strike~~",
    "snake_case_name and 2*3*4",
    "[link](https://evil.example)",
    "[link][ref]",
    "[ref]: https://evil.example",
    "![image](https://evil.example/x.png)",
    "<https://evil.example>",
    "<mail@evil.example>",
    "https://bare.example/path?a=1&b=2",
    "www.example.com",
    "[x]: <javascript:alert(1)>",
    "[click](javascript:alert(1))",
    # HTML
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- comment -->",
    "<div>block</div>",
    "</p><p>",
    "<a href='https://evil.example'>x</a>",
    "&lt;b&gt; &amp; &#35; &#x23; &copy;",
    "x<y>z",
    # escapes and line breaks
    "\\",
    "ends with a backslash \\",
    "\\# escaped \\* already",
    "trailing spaces   ",
    # templates, formulas, calendars, paths
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{# comment #}",
    "${7*7} #{7*7}",
    "=1+1",
    '=HYPERLINK("https://evil.example","x")',
    "+1",
    "-1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\uff1d1+1",
    "a;b,c\\d:e",
    "BEGIN:VEVENT",
    "END:VCALENDAR",
    "../../etc/passwd",
    # Unicode
    "Zoë, Siân, Łódź, 東京, 😀👩🏽‍⚕️",
    "\u202eright-to-left override",
    "zero\u200bwidth",
    "non\u00a0breaking",
    "line\u2028separator",
    "x" * 300,
)

HOSTILE_PROSE: tuple[str, ...] = (
    "Line one\nLine two",
    "Paragraph one\n\nParagraph two",
    "Setext heading\n===",
    "Setext heading\n---",
    "hard  \nbreak",
    "back\\\nslash break",
    "- one\n- two\n\n1. three",
    "| a | b |\n|---|---|\n| c | d |",
    "```\ncode\n```",
    "> quote\n> more",
    "<div>\n\n# heading inside html\n\n</div>",
    "text\n    indented code after text",
    "\n\n\nleading and trailing blank lines\n\n\n",
    "[ref]\n\n[ref]: https://evil.example",
    "Line\twith\ttabs\n\tand a tab first",
    "{% raw %}\n{{ 7*7 }}\n{% endraw %}",
    "=cmd|' /C calc'!A0\n+formula",
    "BEGIN:VEVENT\nUID:injected\nEND:VEVENT",
    "a,b;c\\d\n" + "long line " * 40,
)

HOSTILE: tuple[str, ...] = HOSTILE_LINES + HOSTILE_PROSE

KEY_PHRASE_LIMIT = 60
_NOT_FREE_TEXT = {"id", "chosen_idea", "link", "hashtag", "timezone"}
"""Text fields with a fixed form (checked by the model), left as they are."""


def demo_document() -> dict[str, Any]:
    """The shipped demo plan as a fresh JSON document."""
    document: dict[str, Any] = json.loads(DEMO_PLAN.read_text(encoding="utf-8"))
    return document


def one_line(text: str, limit: int | None = None) -> str:
    """`text` as a one-line field holds it: line breaks and tabs become spaces, cut to `limit`."""
    return text.replace("\n", " ").replace("\t", " ")[:limit]


TextMap = Callable[[str, str, int | None], str]
"""(current text, 'line' or 'prose', the field's length limit) -> new text."""


def _map(node: dict[str, Any], path: str, change: TextMap, grow: bool) -> None:
    for key, value in list(node.items()):
        here = f"{path}.{key}" if path else key
        if key in _NOT_FREE_TEXT:
            continue
        spec = field_spec(here)
        if isinstance(value, dict):
            _map(value, here, change, grow)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                _map(row, f"{here}.{index}", change, grow)
        elif key == "votes" and not grow:
            continue  # votes must stay different from each other; no export prints them
        elif isinstance(value, list) and field_spec(f"{here}.0").kind == "line":
            # one-line texts in a list (at least one when growing); votes must differ
            items = value or ([""] if grow else [])
            node[key] = [
                f"{change(item, 'line', KEY_PHRASE_LIMIT - 3)} {i}".strip()
                if grow
                else change(item, "line", KEY_PHRASE_LIMIT)
                for i, item in enumerate(items)
            ]
        elif isinstance(value, str) and spec.kind in ("line", "prose") and spec.catalogue is None:
            node[key] = change(value, spec.kind, spec.max_length)


def map_texts(document: dict[str, Any], change: TextMap, *, grow: bool = False) -> Plan:
    """A plan from `document` with every free-text field passed through `change`."""
    changed = copy.deepcopy(document)
    _map(changed, "", change, grow)
    return Plan.model_validate(changed)


def fill_plan(document: dict[str, Any], text: str) -> Plan:
    """`document` with every free-text field set to `text` (one-line fields get it on one line)."""
    return map_texts(
        document,
        lambda _old, kind, limit: text if kind == "prose" else one_line(text, limit),
        grow=True,
    )


def twin_plan(document: dict[str, Any]) -> Plan:
    """`document` with every free-text field replaced by its harmless twin."""
    return map_texts(document, lambda old, _kind, _limit: twin(old))


def stored_twin(plan: Plan) -> Plan:
    """The harmless twin of `plan` as it is stored: a name typed as only invisible characters
    (a soft hyphen, say) is stored empty, and so is its twin."""
    return twin_plan(plan.model_dump(mode="json"))


def twin(text: str) -> str:
    """Harmless text of the same shape: every non-space character becomes 'x'."""
    return re.sub(r"\S", "x", text)
