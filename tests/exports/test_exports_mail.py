"""invitation.eml parsed with the email package: fixed headers whatever was typed, both parts."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hostile import HOSTILE, demo_document, fill_plan, one_line

from conftest import RunCli
from sigworkbook import exports
from sigworkbook.exports import mail
from sigworkbook.plan.model import Plan
from sigworkbook.plan.people import clean_name

EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
HEADERS = ["Subject", "Date", "X-Unsent", "MIME-Version", "Content-Type"]
DEMO = demo_document()


def render(plan: Plan) -> bytes:
    return exports.render("invitation-eml", plan, revision=3, exported_at=EXPORTED_AT)


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def named(plan: Plan, name: str) -> Plan:
    """The plan with a name the model itself might refuse: the export must cope regardless."""
    return plan.model_copy(update={"identity": plan.identity.model_copy(update={"name": name})})


class Elements(HTMLParser):
    """Every start tag of an HTML text, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def parts(message: EmailMessage) -> tuple[str, str]:
    plain, page = message.get_body(("plain",)), message.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(page, EmailMessage)
    return tuple(part.get_content().replace("\r\n", "\n") for part in (plain, page))  # type: ignore[return-value]


def assert_safe_message(data: bytes, expected_subject: str) -> tuple[str, str]:
    """Exactly the fixed headers, the subject expected, two parts and a harmless HTML part."""
    message = parse(data)
    assert list(message.keys()) == HEADERS
    assert message["Subject"] == expected_subject
    assert message["X-Unsent"] == "1"
    assert message.get_content_type() == "multipart/alternative"
    assert message.defects == []
    children = list(message.iter_parts())
    assert [part.get_content_type() for part in children] == ["text/plain", "text/html"]
    for part in children:
        assert part.get_content_charset() == "utf-8"
        assert set(part.keys()) <= {"Content-Type", "Content-Transfer-Encoding", "MIME-Version"}
    plain, page = parts(message)
    found = elements(page)
    tags = {tag for tag, _ in found.tags}
    assert not tags & {"script", "a", "img", "iframe", "style", "link", "form", "object"}, tags
    attributes = {(tag, name) for tag, attrs in found.tags for name, _ in attrs}
    assert attributes <= {("html", "lang"), ("meta", "charset")}, attributes
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    return plain, page


def test_the_demo_invitation_is_a_draft_with_both_parts() -> None:
    plan = Plan.model_validate(DEMO)
    plain, page = assert_safe_message(render(plan), "Join Home Safely")
    message = parse(render(plan))
    assert message["Date"].datetime == EXPORTED_AT
    assert not {"To", "Cc", "Bcc", "From"} & set(message.keys())
    assert plain.startswith("Join Home Safely\n================\n\n")
    assert "**" not in plain and "\\" not in plain  # no Markdown left over
    for paragraph in plan.statement.invitation.split("\n\n"):
        assert " ".join(paragraph.split()) in " ".join(plain.split())
        assert " ".join(paragraph.split()) in " ".join(" ".join(elements(page).text).split())
    assert "- Maya Okafor, Convener: maya.okafor@example.org" in plain
    assert "<h1>Join Home Safely</h1>" in page
    assert "<strong>The question we want to learn our way into:</strong>" in page
    link = next(a.link for a in plan.schedule.activities if a.link)
    assert link and link in plain and link in page  # as text, not as a link


def test_the_same_plan_and_date_give_the_same_bytes() -> None:
    plan = Plan.model_validate(DEMO)
    assert render(plan) == render(Plan.model_validate(plan.model_dump()))
    data = render(plan)
    assert data.count(b"\r\n") > 20 and b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t)[:40] for t in HOSTILE])
def test_hostile_text_never_changes_a_header_and_stays_text(text: str) -> None:
    plan = fill_plan(DEMO, text)
    plain, page = assert_safe_message(render(plan), mail.subject(plan.identity.name))
    seen_page = " ".join(" ".join(elements(page).text).split())
    seen_plain = " ".join(plain.split())
    for line in text.split("\n"):
        if line.strip():
            assert " ".join(line.split()) in seen_plain, line
            assert " ".join(line.split()) in seen_page, line
    name = " ".join(clean_name(one_line(text, 80)).split())  # names are stored cleaned
    assert parse(render(plan))["Subject"] == (f"Join {name}" if name else "Join our new group")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Evil\r\nBcc: victim@example.com", "Join Evil Bcc: victim@example.com"),
        ("Evil\nX-Unsent: 0\n\nbody", "Join Evil X-Unsent: 0 body"),
        ("Evil\rContent-Type: text/html", "Join Evil Content-Type: text/html"),
        ("Tab\tand\u2028line\u0085next\x0bvertical", "Join Tab and line next vertical"),
        ("Null\x00byte", "Join Nullbyte"),
        ("Zoë, Siân, Łódź, 東京 😀", "Join Zoë, Siân, Łódź, 東京 😀"),
        ("=?utf-8?q?encoded=3F?=", "Join =\u2060?utf-8?q?encoded=3F?="),
        (
            "=?utf-8?q?Evil=0D=0ABcc:_victim@example.com?=",
            "Join =\u2060?utf-8?q?Evil=0D=0ABcc:_victim@example.com?=",
        ),
        ("   ", "Join our new group"),
        ("word " * 100, "Join " + ("word " * 30).strip() + "\u2026"),
    ],
    ids=[
        "crlf",
        "lf",
        "cr",
        "unicode-breaks",
        "nul",
        "non-ascii",
        "encoded-word",
        "encoded-crlf",
        "blank",
        "long",
    ],
)
def test_no_name_can_add_or_change_a_header(name: str, expected: str) -> None:
    plan = named(Plan.model_validate(DEMO), name)
    data = render(plan)
    assert_safe_message(data, expected)
    assert mail.subject(name) == expected
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # non-ASCII names are encoded (RFC 2047), never raw


def test_a_very_long_name_is_folded_not_cut_into_a_new_header() -> None:
    long_name = "Ünïcödé " + "x" * 400
    data = render(named(Plan.model_validate(DEMO), long_name))
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert all(len(line) <= 78 for line in head.split("\r\n"))
    assert parse(data)["Subject"] == mail.subject(long_name)
    assert len(mail.subject(long_name)) == len("Join ") + mail.SUBJECT_LIMIT


def test_the_cli_writes_the_draft(cli_ws: RunCli, tmp_path: Path) -> None:
    assert cli_ws("init", "--demo").code == 0
    target = tmp_path / "invitation.eml"
    result = cli_ws("export", DEMO["id"], "--format", "invitation-eml", "-o", target)
    assert result.code == 0, result
    assert parse(target.read_bytes())["Subject"] == f"Join {DEMO['identity']['name']}"
