"""An exported Markdown document as plain blocks (headings, paragraphs, tables) for Word and e-mail.

The Markdown comes from the same templates and escaping as charter.md, so what users typed is
already literal text in it: here it only ever becomes a Run's text. Links become their text
(never a link), images their description; raw HTML is switched off in the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from markdown_it.token import Token

from sigworkbook.exports.html import markdown_parser

ParagraphKind = Literal["body", "quote", "bullet", "number", "continue", "code"]
"""How a paragraph is set: plain, in a quote, a list item's first paragraph (bulleted or
numbered), a list item's later paragraph, or code (a template's, never a user's)."""

BREAK = "\n"
"""A Run whose text is this is a line break inside its paragraph."""


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    kind: ParagraphKind = "body"


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]


@dataclass(frozen=True)
class Rule:
    """A horizontal rule: in the exports, what stands before the footer."""


Block = Heading | Paragraph | Table | Rule


def text_of(runs: tuple[Run, ...]) -> str:
    """What a reader sees of the runs, line breaks as newlines."""
    return "".join(run.text for run in runs)


def _runs(inline: Token) -> tuple[Run, ...]:
    runs: list[Run] = []
    bold = italic = 0
    for child in inline.children or []:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "code_inline", "html_inline"):
            runs.append(Run(child.content, bold > 0, italic > 0))
        elif kind == "softbreak":
            runs.append(Run(" ", bold > 0, italic > 0))
        elif kind == "hardbreak":
            runs.append(Run(BREAK))
        elif kind == "image":  # its description, as text
            runs.append(Run(child.content, bold > 0, italic > 0))
        # link_open / link_close: nothing; the link's text is the text between them
    return _merged(runs)


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    """Neighbouring runs with the same look joined, so the text is not cut into pieces."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        last = merged[-1] if merged else None
        if (
            last
            and BREAK not in (last.text, run.text)
            and (last.bold, last.italic)
            == (
                run.bold,
                run.italic,
            )
        ):
            merged[-1] = Run(last.text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return tuple(merged)


@dataclass
class _Reader:
    tokens: list[Token]
    blocks: list[Block] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    """The open lists, innermost last: 'bullet' or 'number'."""
    item_paragraphs: int = 0
    """Paragraphs already written in the innermost open list item."""
    quotes: int = 0

    def read(self) -> list[Block]:
        index = 0
        while index < len(self.tokens):
            index = self._token(index)
        return self.blocks

    def _paragraph_kind(self) -> ParagraphKind:
        if self.lists:
            first = self.item_paragraphs == 0
            self.item_paragraphs += 1
            if first:
                return "bullet" if self.lists[-1] == "bullet" else "number"
            return "continue"
        return "quote" if self.quotes else "body"

    def _token(self, index: int) -> int:
        token = self.tokens[index]
        kind = token.type
        if kind == "heading_open":
            self.blocks.append(Heading(int(token.tag[1:]), _runs(self.tokens[index + 1])))
            return index + 3
        if kind == "paragraph_open":
            runs = _runs(self.tokens[index + 1])
            if runs:
                self.blocks.append(Paragraph(runs, self._paragraph_kind()))
            return index + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append("bullet" if kind == "bullet_list_open" else "number")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_paragraphs = 0
        elif kind == "blockquote_open":
            self.quotes += 1
        elif kind == "blockquote_close":
            self.quotes -= 1
        elif kind in ("code_block", "fence"):
            self.blocks.append(Paragraph((Run(token.content.rstrip("\n")),), "code"))
        elif kind == "hr":
            self.blocks.append(Rule())
        elif kind == "table_open":
            return self._table(index)
        return index + 1

    def _table(self, index: int) -> int:
        rows: list[tuple[tuple[Run, ...], ...]] = []
        header: tuple[tuple[Run, ...], ...] = ()
        cells: list[tuple[Run, ...]] = []
        while self.tokens[index].type != "table_close":
            token = self.tokens[index]
            if token.type == "tr_open":
                cells = []
            elif token.type == "inline":
                cells.append(_runs(token))
            elif token.type == "tr_close":
                if header:
                    rows.append(tuple(cells))
                else:
                    header = tuple(cells)
            index += 1
        self.blocks.append(Table(header, tuple(rows)))
        return index + 1


def read(markdown: str) -> list[Block]:
    """The Markdown document as blocks, in order."""
    return _Reader(markdown_parser().parse(markdown)).read()
