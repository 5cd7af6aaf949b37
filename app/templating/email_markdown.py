"""Parse Notify-flavoured email markdown into blocks of inline pieces, for the HTML and plain-text renderers.

Blocks (each starts on a line of its own):
- `# Heading` (one hash and a space; more hashes give an ordinary paragraph, as in Notify)
- `* item`, `- item` or `• item` bullet lists and `1. item` numbered lists; blank lines between items keep one list,
  and a line that is not an item continues the item above it
- `---` (or `***`, `___`) horizontal rule
- `^ inset text`; following lines continue it until a blank line
- paragraphs: everything else, split by blank lines; a single line break is kept as a line break
Inline: `[text](https://…)` links, bare web addresses (see `urls.py`) become links, and a backslash before
punctuation makes it literal. There is no bold, italic, code, image or raw HTML: such text stays as it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.templating.urls import URL_PATTERN, has_scheme, trim_trailing_punctuation


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Link:
    """A link: `text` to show, `href` to follow; an autolink shows the address as it was written."""

    text: str
    href: str
    is_autolink: bool = False


Inline = Text | Link
Line = tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Heading:
    line: Line


@dataclass(frozen=True)
class HorizontalRule:
    pass


@dataclass(frozen=True)
class ListBlock:
    is_ordered: bool
    items: tuple[tuple[Line, ...], ...]


@dataclass(frozen=True)
class InsetText:
    lines: tuple[Line, ...]


Block = Paragraph | Heading | HorizontalRule | ListBlock | InsetText

_HORIZONTAL_RULE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*")
_HEADING = re.compile(r"[ \t]*(#+)(?:[ \t]+(.*))?")
_LIST_ITEM = re.compile(r"[ \t]*(?:([•*-])|\d{1,9}\.)[ \t]+(.*)")
_INSET = re.compile(r"[ \t]*\^[ \t]?(.*)")

ESCAPABLE_CHARACTERS = r"!-/:-@\[-`{-~"  # ASCII punctuation, as character-class ranges
_ESCAPE = re.compile(rf"\\([{ESCAPABLE_CHARACTERS}])")
_INLINE = re.compile(
    rf"\\(?P<escaped>[{ESCAPABLE_CHARACTERS}])"
    r"|\[(?P<link_text>(?:\\.|[^\\\[\]])*)\]\((?P<link_url>[^\s()]+)\)"
    rf"|(?P<url>(?i:{URL_PATTERN.pattern}))"
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_ALLOWED_LINK_SCHEMES = ("http:", "https:", "mailto:")
_NOT_LINKED = {"gov.uk"}  # GOV.UK is a name in running text, not an address to visit


def parse_markdown(markdown: str) -> list[Block]:
    parser = _BlockParser()
    for line in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        parser.add_line(line)
    return parser.finish()


class _BlockParser:
    """Reads lines one at a time, keeping the block that is still open (paragraph, list or inset)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.open_kind: type[Block] | None = None
        self.lines: list[str] = []
        self.items: list[list[str]] = []
        self.is_ordered = False
        self.after_blank_line = False

    def add_line(self, line: str) -> None:
        if not line.strip():
            self._add_blank_line()
        elif _HORIZONTAL_RULE.fullmatch(line):
            self._close_and_add(HorizontalRule())
        elif heading := _HEADING.fullmatch(line):
            self._add_heading(level=len(heading.group(1)), text=(heading.group(2) or "").strip())
        elif item := _LIST_ITEM.fullmatch(line):
            self._add_list_item(is_ordered=item.group(1) is None, text=item.group(2).strip())
        elif inset := _INSET.fullmatch(line):
            self._add_inset_line(inset.group(1).strip())
        else:
            self._add_text_line(line.strip())

    def finish(self) -> list[Block]:
        self._close()
        return self.blocks

    def _add_blank_line(self) -> None:
        if self.open_kind is ListBlock:
            self.after_blank_line = True
        else:
            self._close()

    def _add_heading(self, *, level: int, text: str) -> None:
        if level > 1:
            self._close_and_add(Paragraph((parse_inline(text),)))
        elif text:
            self._close_and_add(Heading(parse_inline(text)))
        else:
            self._close()

    def _add_list_item(self, *, is_ordered: bool, text: str) -> None:
        if self.open_kind is not ListBlock or self.is_ordered != is_ordered:
            self._close()
            self.open_kind, self.is_ordered = ListBlock, is_ordered
        self.items.append([text])
        self.after_blank_line = False

    def _add_inset_line(self, text: str) -> None:
        if self.open_kind is not InsetText:
            self._close()
            self.open_kind = InsetText
        self.lines.append(text)

    def _add_text_line(self, text: str) -> None:
        if self.open_kind is ListBlock and not self.after_blank_line:
            self.items[-1].append(text)
        elif self.open_kind in (Paragraph, InsetText):
            self.lines.append(text)
        else:
            self._close()
            self.open_kind = Paragraph
            self.lines.append(text)

    def _close_and_add(self, block: Block) -> None:
        self._close()
        self.blocks.append(block)

    def _close(self) -> None:
        if self.open_kind is Paragraph:
            self.blocks.append(Paragraph(_parse_lines(self.lines)))
        elif self.open_kind is InsetText:
            self.blocks.append(InsetText(_parse_lines(self.lines)))
        elif self.open_kind is ListBlock:
            self.blocks.append(ListBlock(self.is_ordered, tuple(_parse_lines(item) for item in self.items)))
        self.open_kind, self.lines, self.items, self.after_blank_line = None, [], [], False


def _parse_lines(lines: list[str]) -> tuple[Line, ...]:
    return tuple(parse_inline(line) for line in lines if line)


def parse_inline(text: str) -> Line:
    """Split one line into text and links, resolving backslash escapes."""
    pieces: list[Inline] = []
    position = 0
    while match := _INLINE.search(text, position):
        pieces.append(Text(text[position : match.start()]))
        piece, position = _inline_piece(match)
        pieces.append(piece)
    pieces.append(Text(text[position:]))
    return _merge_text(pieces)


def _inline_piece(match: re.Match[str]) -> tuple[Inline, int]:
    if match.group("escaped") is not None:
        return Text(match.group("escaped")), match.end()
    if match.group("link_url") is not None:
        return _markdown_link(match), match.end()
    url = trim_trailing_punctuation(match.group("url"))
    if url.lower() in _NOT_LINKED:
        return Text(url), match.start() + len(url)
    return Link(text=url, href=url if has_scheme(url) else f"https://{url}", is_autolink=True), match.start() + len(url)


def _markdown_link(match: re.Match[str]) -> Inline:
    """Turn `[text](url)` into a link when the url is http(s), mailto or a bare domain; else keep it as text."""
    url = match.group("link_url")
    text = _ESCAPE.sub(r"\1", match.group("link_text")).strip()
    if _SCHEME.match(url):
        if not url.lower().startswith(_ALLOWED_LINK_SCHEMES):
            return Text(match.group(0))
        href = url
    elif URL_PATTERN.fullmatch(url):
        href = f"https://{url}"
    else:
        return Text(match.group(0))
    return Link(text=text or url, href=href)


def _merge_text(pieces: list[Inline]) -> Line:
    """Join neighbouring text pieces into one; each run is joined once (adding to a string in a loop is quadratic)."""
    merged: list[Inline] = []
    texts: list[str] = []
    for piece in pieces:
        if isinstance(piece, Text):
            texts.append(piece.text)
            continue
        _flush_text(texts, merged)
        merged.append(piece)
    _flush_text(texts, merged)
    return tuple(merged)


def _flush_text(texts: list[str], merged: list[Inline]) -> None:
    text = "".join(texts)
    if text:
        merged.append(Text(text))
    texts.clear()
