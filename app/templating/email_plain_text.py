"""Render parsed email markdown as the plain-text part of an email."""

from __future__ import annotations

from app.templating.email_markdown import (
    Block,
    Heading,
    HorizontalRule,
    Inline,
    InsetText,
    Line,
    Link,
    ListBlock,
    Paragraph,
)

RULE_WIDTH = 65
BULLET = "•"


def render_plain_text(blocks: list[Block]) -> str:
    """Return the blocks as text: one blank line between blocks, links written `text: address`."""
    return "\n\n".join(render_plain_text_block(block) for block in blocks)


def render_plain_text_block(block: Block) -> str:
    match block:
        case Paragraph(lines) | InsetText(lines):
            return "\n".join(render_plain_text_line(line) for line in lines)
        case Heading(line):
            heading = render_plain_text_line(line)
            return f"{heading}\n{'-' * max(len(heading), 3)}"
        case HorizontalRule():
            return "=" * RULE_WIDTH
        case ListBlock(is_ordered, items):
            markers = [f"{number}." for number in range(1, len(items) + 1)] if is_ordered else [BULLET] * len(items)
            return "\n".join(_render_item(marker, item) for marker, item in zip(markers, items, strict=True))
    raise TypeError(f"not a markdown block: {block!r}")


def render_plain_text_line(line: Line) -> str:
    return "".join(_render_inline(piece) for piece in line)


def _render_item(marker: str, lines: tuple[Line, ...]) -> str:
    indent = " " * (len(marker) + 1)
    rendered = [render_plain_text_line(line) for line in lines] or [""]
    return f"{marker} {rendered[0]}" + "".join(f"\n{indent}{line}" for line in rendered[1:])


def _render_inline(piece: Inline) -> str:
    if isinstance(piece, Link) and not piece.is_autolink and piece.text != piece.href:
        return f"{piece.text}: {piece.href}"
    return piece.text
