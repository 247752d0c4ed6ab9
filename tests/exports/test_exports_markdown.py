"""The Markdown exports, read back with markdown-it-py: user text stays literal text in them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import docx
import pytest
import strategies
from hostile import HOSTILE, demo_document, fill_plan, one_line, stored_twin, twin_plan
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sigworkbook import exports
from sigworkbook.plan import catalogues
from sigworkbook.plan.fields import label
from sigworkbook.plan.gaps import check
from sigworkbook.plan.model import Plan
from sigworkbook.plan.people import clean_name

MARKDOWN_FORMATS = ("markdown", "listing", "invitation", "promotion")
EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
MARKER = "To be agreed"

# The reader's parser: CommonMark with tables and with raw HTML *on*, as many renderers have it,
# so that any HTML the export let through would show up as an html token.
PARSER = MarkdownIt("commonmark").enable("table")


def render(format: str, plan: Plan, **options: Any) -> str:
    options.setdefault("revision", 7)
    options.setdefault("exported_at", EXPORTED_AT)
    return exports.render(format, plan, **options).decode("utf-8")


def flat(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from flat(token.children)


def shape(markdown: str) -> list[tuple[str, str, int, int]]:
    """Every token but the text itself: the document's structure."""
    return [
        (t.type, t.tag, t.nesting, t.level)
        for t in flat(PARSER.parse(markdown))
        if t.type != "text"
    ]


def inline_text(token: Token) -> str:
    """What a reader sees of one inline run: soft breaks as spaces, hard breaks as newlines."""
    breaks = {"softbreak": " ", "hardbreak": "\n"}
    return "".join(breaks.get(child.type, child.content) for child in token.children or [])


def plain_text(markdown: str) -> str:
    """What a reader sees of the whole document, one inline run a line."""
    return "".join(inline_text(t) + "\n" for t in PARSER.parse(markdown) if t.type == "inline")


def assert_no_html(markdown: str) -> None:
    types = {t.type for t in flat(PARSER.parse(markdown))}
    assert not types & {"html_inline", "html_block"}, markdown


def assert_literal(markdown: str, harmless: str, text: str) -> None:
    """No structure comes from `text` (same tokens as with harmless text) and all of it shows."""
    assert_no_html(markdown)
    assert shape(markdown) == shape(harmless)
    seen = plain_text(markdown)
    for line in text.split("\n"):
        if line.strip():
            assert line.strip() in seen, (line, markdown)


DEMO = demo_document()


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_hostile_text_comes_out_as_literal_text(text: str) -> None:
    plan = fill_plan(DEMO, text)
    harmless = stored_twin(plan)
    for format in MARKDOWN_FORMATS:
        markdown = render(format, plan)
        assert_literal(markdown, render(format, harmless), text)
    name = clean_name(one_line(text, 80)).strip()  # a SIG's name is stored cleaned
    title = inline_text(PARSER.parse(render("markdown", plan))[1])
    assert title == (name or "Name to be agreed")


def test_template_syntax_typed_by_a_user_is_printed_not_run() -> None:
    plan = fill_plan(DEMO, "{{ 7*7 }} {% if true %}yes{% endif %}")
    for format in MARKDOWN_FORMATS:
        seen = plain_text(render(format, plan))
        assert "{{ 7*7 }} {% if true %}yes{% endif %}" in seen
        assert "49" not in seen


_MARKDOWN_PUNCTUATION = st.sampled_from(list("#*_`[]()<>!|\\-+=~&:;.{}%'\" \n\t0123456789"))
_ANY_CHARACTER = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\n\t"
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_MARKDOWN_PUNCTUATION | _ANY_CHARACTER, max_size=60))
@example("\xad")  # a soft hyphen alone: a name of it is stored empty (CI found it)
def test_generated_text_comes_out_as_literal_text(text: str) -> None:
    plan = fill_plan(DEMO, text)
    harmless = stored_twin(plan)
    for format in MARKDOWN_FORMATS:
        assert_literal(render(format, plan), render(format, harmless), text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.plan_documents())
def test_generated_plans_have_the_structure_of_their_harmless_twins(
    document: dict[str, Any],
) -> None:
    plan, harmless = Plan.model_validate(document), twin_plan(document)
    for format in MARKDOWN_FORMATS:
        markdown = render(format, plan)
        assert_no_html(markdown)
        assert shape(markdown) == shape(render(format, harmless))
    seen = plain_text(render("markdown", plan))
    for line in plan.charter.purpose.split("\n"):
        assert line.strip() in seen


def _tokens_between(tokens: list[Token], open_type: str, containing: str) -> list[Token]:
    """The tokens of the first `open_type` block whose text contains `containing`."""
    for start, token in enumerate(tokens):
        if token.type != open_type:
            continue
        depth = 0
        for end in range(start, len(tokens)):
            depth += tokens[end].nesting if tokens[end].type.startswith(open_type[:-5]) else 0
            if depth == 0:
                break
        inside = tokens[start : end + 1]
        if any(containing in inline_text(t) for t in inside if t.type == "inline"):
            return inside
    raise AssertionError(f"no {open_type} contains {containing!r}")


def test_multi_line_text_stays_inside_its_list_item_table_cell_and_quote() -> None:
    document = demo_document()
    document["charter"]["membership"]["who_may_join"] = "First line\nSecond line\n\n- Third para"
    document["charter"]["risks"][0]["mitigation"] = "One\nTwo\n\n| Three |"
    document["promotion"]["actions"][0]["draft"] = "Para one\n\n# Para two\n> Para three"
    plan = Plan.model_validate(document)

    charter = PARSER.parse(render("markdown", plan))
    item = _tokens_between(charter, "list_item_open", "First line")
    texts = " ".join(inline_text(t) for t in item if t.type == "inline")
    assert "Second line" in texts and "- Third para" in texts
    assert [t.type for t in item].count("paragraph_open") == 2

    table = _tokens_between(charter, "table_open", "One")
    assert [t.type for t in table].count("tr_open") == 1 + len(plan.charter.risks)
    cells = [inline_text(t) for t in table if t.type == "inline"]
    assert "One / Two / | Three |" in cells

    promotion = PARSER.parse(render("promotion", plan))
    quote = _tokens_between(promotion, "blockquote_open", "Para one")
    quoted = [inline_text(t) for t in quote if t.type == "inline"]
    assert quoted == ["Para one", "# Para two\n> Para three"]


def _sections(markdown: str) -> list[tuple[str, str]]:
    """(heading, the text under it up to the next heading) for every heading."""
    sections: list[tuple[str, str]] = []
    tokens = PARSER.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "inline" and tokens[index - 1].type == "heading_open":
            sections.append((inline_text(token), ""))
        elif token.type == "inline" and sections:
            heading, body = sections[-1]
            sections[-1] = (heading, body + inline_text(token) + "\n")
    return sections


def test_every_empty_charter_section_shows_the_to_be_agreed_marker() -> None:
    markdown = render("markdown", Plan(id="empty"))
    with_body = [(h, body) for h, body in _sections(markdown) if body.strip()]
    parents = {h for h, body in _sections(markdown) if not body.strip()}
    assert parents == {"The four questions", "Scope"}  # their sub-sections carry the markers
    for heading, body in with_body:
        if heading == label("charter.membership"):
            assert body.count(MARKER) == 2  # open or closed always has a value
        elif heading != "Name to be agreed":
            assert MARKER in body, heading
    emphasised = [
        t for t in flat(PARSER.parse(markdown)) if t.type == "text" and t.content == MARKER
    ]
    assert len(emphasised) == markdown.count(MARKER)


def test_the_demo_charter_has_every_section_and_nothing_left_to_agree() -> None:
    plan = Plan.model_validate(DEMO)
    markdown = render("markdown", plan)
    assert MARKER not in markdown
    headings = [h for h, _ in _sections(markdown)]
    assert headings[0] == plan.identity.name
    for path in (
        "core_group.people",
        "statement.core_statement",
        "identity.learning_question",
        "charter.purpose",
        "charter.approach",
        "charter.people",
        "charter.evidence",
        "charter.scope",
        "charter.out_of_scope",
        "charter.membership",
        "charter.values",
        "charter.rhythm",
        "charter.channels",
        "charter.measures",
        "charter.risks",
    ):
        assert label(path) in headings, path
    for required in ("Upcoming activities", "Promotion plan", "Review"):
        assert required in headings
    for risk in plan.charter.risks:
        assert f"| {risk.risk} |" in markdown


def test_the_footer_says_who_agreed_it_and_when_and_nothing_internal() -> None:
    plan = Plan.model_validate(DEMO)
    moment = dt.datetime(2027, 2, 3, 16, 45, 59, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    for format, verb in (("markdown", "Agreed"), ("listing", "Sent"), ("promotion", "Prepared")):
        text = plain_text(render(format, plan, revision=42, exported_at=moment)).strip()
        assert text.splitlines()[-1] == f"{verb} by the core group on 3 February 2027."
        for internal in ("Revision", "42", "sigworkbook", "UTC"):
            assert internal not in text.splitlines()[-1]


def test_promotion_documents_carry_no_length_checks() -> None:
    """The checks stay on the review page; a sponsor reads the drafts, not their counts."""
    limit = catalogues.active().char_limit("network_twitter")
    assert limit is not None
    document = demo_document()
    actions = document["promotion"]["actions"]
    actions[:] = [
        {"id": "over01", "channel": "network_twitter", "draft": "o" * (limit + 7)},
        {"id": "fits01", "channel": "network_twitter", "draft": "f" * (limit - 1)},
        {"id": "free01", "channel": "direct_email", "draft": "e" * 5000},
    ]
    assert catalogues.active().char_limit("direct_email") is None
    plan = Plan.model_validate(document)
    for format in ("promotion", "markdown"):
        text = plain_text(render(format, plan))
        for internal in (f"of {limit}", "7 over", "characters", "no limit", "Length", ".md"):
            assert internal not in text, (format, internal)
    over = [gap for gap in check(plan)["promotion"].gaps if "the limit is" in gap.message]
    assert len(over) == 1  # the check is on the review page, where the group fixes it


def test_activities_without_a_date_are_named_in_the_schedule_summary() -> None:
    document = demo_document()
    document["schedule"]["activities"].append({"id": "nodate1", "title": "Walk *somewhere*"})
    text = plain_text(render("markdown", Plan.model_validate(document)))
    assert "because they have no date and time: Walk *somewhere*." in text


def test_upcoming_lists_only_planned_activities_still_ahead_in_date_order() -> None:
    plan = Plan.model_validate(DEMO)
    markdown = render("markdown", plan)
    table = _tokens_between(PARSER.parse(markdown), "table_open", "Monthly Home Safely huddle")
    cells = [inline_text(t) for t in table if t.type == "inline"]
    titles = cells[6::5]  # five cells a row; the title is the second cell of each row
    local_export = EXPORTED_AT.replace(tzinfo=None)
    ahead = sorted(
        (a for a in plan.schedule.activities if a.status == "planned" and a.start),
        key=lambda a: a.start or local_export,
    )
    assert titles == [a.title for a in ahead if a.start and a.start >= local_export]
    done = [a.title for a in plan.schedule.activities if a.status == "done"]
    assert done and not set(done) & set(titles)


def _upcoming_section(plan: Plan) -> list[str]:
    """The paragraphs a reader sees under the charter's 'Upcoming activities' heading."""
    sections = dict(_sections(render("markdown", plan)))
    return sections["Upcoming activities"].splitlines()


def test_upcoming_of_an_empty_plan_is_one_to_be_agreed_line() -> None:
    assert _upcoming_section(Plan(id="empty")) == [MARKER]


def test_upcoming_without_any_activity_ahead_says_so_without_the_marker() -> None:
    document = demo_document()
    document["schedule"]["activities"] = [
        {"id": "past001", "title": "Last year's walk", "start": "2026-06-01T10:00:00"},
        {"id": "nodate1", "title": "A walk some day"},
    ]
    assert _upcoming_section(Plan.model_validate(document)) == [
        "No planned activity has a date after the export date.",
        "Not in the calendar file yet, because they have no date and time: A walk some day.",
    ]


def test_an_activity_link_becomes_one_safe_link_in_the_invitation() -> None:
    document = demo_document()
    link = "https://example.org/<img/src=x/onerror=alert(1)>|*_`x`"
    document["schedule"]["activities"][1]["link"] = link
    plan = Plan.model_validate(document)
    markdown = render("invitation", plan)
    assert_no_html(markdown)
    links = [t for t in flat(PARSER.parse(markdown)) if t.type == "link_open"]
    assert [t.attrGet("href") for t in links] == [
        "https://example.org/%3Cimg/src=x/onerror=alert(1)%3E%7C*_%60x%60"
    ]


def test_the_name_decision_is_on_record_in_the_charter_and_the_listing() -> None:
    document = demo_document()
    document["identity"]["name_decision"] = {
        "decided_on": "2026-12-06",
        "name": document["identity"]["name"],
        "options": [
            {"name": document["identity"]["name"], "dots": 4},
            {"name": "Other", "dots": 1},
        ],
        "voted": 4,
        "abstained": 1,
        "expected": 5,
        "voters": ["Ruth Okafor", "Dev Patel"],
    }
    plan = Plan.model_validate(document)
    said = (
        "Chosen by the core group on 6 December 2026: 4 of 5 votes; 5 of 5 people took part "
        "(1 abstained): Ruth Okafor, Dev Patel"
    )
    for format in ("markdown", "listing"):
        markdown = render(format, plan)
        paragraphs = [t.content for t in flat(PARSER.parse(markdown)) if t.type == "inline"]
        assert said in paragraphs, format  # a paragraph of its own
    word = docx.Document(
        io.BytesIO(exports.render("docx", plan, revision=7, exported_at=EXPORTED_AT))
    )
    assert said in [paragraph.text for paragraph in word.paragraphs]
    renamed = plan.model_copy(deep=True)
    renamed.identity.name = "Renamed since"
    assert "Chosen by" not in render("markdown", renamed), "only while it is still the name"
    assert "Chosen by" not in render("markdown", Plan.model_validate(demo_document()))
