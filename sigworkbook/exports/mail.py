"""invitation.eml: the invitation as a draft e-mail (RFC 5322, Python's email package) to send.

The body comes from the same Markdown as invitation.md, read into blocks: a plain-text part and
an HTML part in which every text is escaped and nothing is a link. The headers are fixed ones
and a subject made from the SIG's name on one line: nothing a user typed can add a header.
`X-Unsent: 1` makes Outlook open the file as a draft. Nobody is addressed: the people to invite
have no e-mail address in the plan, so the sender chooses the recipients.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from sigworkbook.exports import blocks
from sigworkbook.exports.blocks import BREAK, Block, Heading, Paragraph, Rule, Run, Table

SUBJECT_LIMIT = 150
"""Characters of the SIG's name kept in the subject; a longer name ends in an ellipsis."""

_SPACES = re.compile(r"\s+")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")  # whitespace aside
_UNDERLINES = {1: "=", 2: "-"}
ENCODED_WORD_START = "=?"
WORD_JOINER = "\u2060"
"""Put between '=' and '?' in a name: the email package would otherwise decode text such as
'=?utf-8?q?x=0D=0ABcc:_y?=' typed in a name into a line break, and so into a header of its own
(and mail programs would show the decoded text). The word joiner cannot be seen."""


def subject(name: str) -> str:
    """'Join <name>' on one line: any line break or run of spaces in the name is one space, and
    nothing in it reads as an RFC 2047 encoded word."""
    one_line = _SPACES.sub(" ", _NOT_TEXT.sub("", name)).strip()
    if len(one_line) > SUBJECT_LIMIT:
        one_line = one_line[: SUBJECT_LIMIT - 1].rstrip() + "\u2026"
    one_line = one_line.replace(ENCODED_WORD_START, "=" + WORD_JOINER + "?")
    return f"Join {one_line}" if one_line else "Join our new group"


def _plain_runs(runs: tuple[Run, ...]) -> str:
    return "".join("\n" if run.text == BREAK else run.text for run in runs)


def _prefixed(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0], *(rest + line for line in lines[1:])])


def _plain_block(block: Block, number: int) -> str:
    if isinstance(block, Heading):
        text = _plain_runs(block.runs).replace("\n", " ")
        underline = _UNDERLINES.get(block.level)
        return f"{text}\n{underline * max(3, len(text))}" if underline else text
    if isinstance(block, Table):
        return "\n".join(
            " | ".join(_plain_runs(cell).replace("\n", " / ") for cell in row)
            for row in (block.header, *block.rows)
        )
    if isinstance(block, Rule):
        return "---"
    text = _plain_runs(block.runs)
    if block.kind == "bullet":
        return _prefixed(text, "- ", "  ")
    if block.kind == "number":
        return _prefixed(text, f"{number}. ", "   ")
    if block.kind == "continue":
        return _prefixed(text, "  ", "  ")
    if block.kind == "quote":
        return _prefixed(text, "> ", "> ")
    return text


def _numbers(document: list[Block]) -> Iterable[tuple[Block, int]]:
    """Each block with its number in a numbered list (0 outside one)."""
    number = 0
    for block in document:
        if isinstance(block, Paragraph) and block.kind in ("number", "continue"):
            number += block.kind == "number"
        else:
            number = 0
        yield block, number


def _in_list(block: Block) -> bool:
    return isinstance(block, Paragraph) and block.kind in ("bullet", "number", "continue")


def plain_text(document: list[Block]) -> str:
    """The document as plain text: underlined headings, '- ' bullets, '> ' quotes."""
    parts: list[str] = []
    previous: Block | None = None
    for block, number in _numbers(document):
        if previous is not None:
            item = isinstance(block, Paragraph) and block.kind in ("bullet", "number")
            tight = item and _in_list(previous)
            parts.append("\n" if tight else "\n\n")
        parts.append(_plain_block(block, number))
        previous = block
    return "".join(parts) + "\n"


def _html_runs(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        if run.text == BREAK:
            out.append("<br>")
            continue
        text = html.escape(run.text, quote=False)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{_html_runs(cell)}</th>" for cell in table.header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_html_runs(cell)}</td>" for cell in row) + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def html_text(document: list[Block], title: str) -> str:
    """The document as an HTML page: every text escaped; no link, no script, no attribute but
    the page's language and character set."""
    out: list[str] = []
    open_list = ""
    for block in document:
        kind = block.kind if isinstance(block, Paragraph) else ""
        text = _html_runs(block.runs) if isinstance(block, Heading | Paragraph) else ""
        if kind in ("bullet", "number"):
            wanted = "ul" if kind == "bullet" else "ol"
            if open_list and open_list != wanted:
                out.append(f"</li></{open_list}>")
                open_list = ""
            out.append("</li>" if open_list else f"<{wanted}>")
            open_list = wanted
            out.append(f"<li><p>{text}</p>")
            continue
        if kind == "continue" and open_list:
            out.append(f"<p>{text}</p>")
            continue
        if open_list:
            out.append(f"</li></{open_list}>")
            open_list = ""
        if isinstance(block, Heading):
            level = min(block.level, 6)
            out.append(f"<h{level}>{text}</h{level}>")
        elif isinstance(block, Table):
            out.append(_html_table(block))
        elif isinstance(block, Rule):
            out.append("<hr>")
        elif kind == "quote":
            out.append(f"<blockquote><p>{text}</p></blockquote>")
        elif kind == "code":
            out.append(f"<pre>{html.escape(blocks.text_of(block.runs), quote=False)}</pre>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{text}</p>")
    if open_list:
        out.append(f"</li></{open_list}>")
    body = "\n".join(out)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title, quote=False)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def invitation(markdown: str, *, name: str, exported_at: dt.datetime) -> bytes:
    """The invitation (Markdown from invitation.md.j2) as the bytes of a draft .eml file."""
    return draft(markdown, title=subject(name), exported_at=exported_at)


def draft(markdown: str, *, title: str, exported_at: dt.datetime) -> bytes:
    """Any exported Markdown document as the bytes of a draft .eml file with subject `title`
    (on one line, as the header rules above)."""
    document = blocks.read(markdown)
    title = _SPACES.sub(" ", _NOT_TEXT.sub("", title)).strip()
    title = title.replace(ENCODED_WORD_START, "=" + WORD_JOINER + "?")
    plain, page = plain_text(document), html_text(document, title)
    message = EmailMessage(policy=policy.default)
    message["Subject"] = title
    message["Date"] = format_datetime(exported_at.astimezone(dt.UTC))
    message["X-Unsent"] = "1"
    message.set_content(plain)
    message.add_alternative(page, subtype="html")
    # A boundary made from the parts: the same bytes for the same plan, and not in the parts.
    digest = hashlib.sha256((plain + page).encode("utf-8")).hexdigest()[:32]
    message.set_boundary(f"sigworkbook-{digest}")
    return message.as_bytes(policy=policy.SMTP)
