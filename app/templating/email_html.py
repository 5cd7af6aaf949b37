"""Render parsed email markdown as a small, self-contained HTML email with inline styles.

Every piece of text is HTML-escaped here, at the last step, so neither the template nor the personalisation can
add markup; link addresses are percent-encoded and only http(s) and mailto links exist (see `email_markdown.py`).
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

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

TEXT_STYLE = "margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0b0c0c;"
HEADING_STYLE = "margin: 0 0 20px 0; font-size: 27px; line-height: 35px; font-weight: bold; color: #0b0c0c;"
RULE_STYLE = "border: 0; height: 1px; background: #b1b4b6; margin: 30px 0;"
LIST_STYLE = "margin: 0 0 20px 20px; padding: 0;"
LIST_ITEM_STYLE = "margin: 5px 0; padding: 0 0 0 5px; font-size: 19px; line-height: 25px; color: #0b0c0c;"
INSET_STYLE = "margin: 0 0 20px 0; border-left: 10px solid #b1b4b6; padding: 15px 0 0.1px 15px;"
LINK_STYLE = "word-wrap: break-word; color: #1d70b8;"

_SAFE_IN_URL = "!#$%&'()*+,/:;=?@[]~"

DOCUMENT_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body style="margin: 0; padding: 0; background: #ffffff;">
<div style="max-width: 580px; margin: 0 auto; padding: 20px 10px; font-family: Helvetica, Arial, sans-serif;">
{body}
</div>
</body>
</html>
"""


def render_html_document(blocks: list[Block], *, title: str) -> str:
    return DOCUMENT_TEMPLATE.format(title=escape(title), body=render_html_blocks(blocks))


def render_html_blocks(blocks: list[Block]) -> str:
    return "\n".join(render_html_block(block) for block in blocks)


def render_html_block(block: Block) -> str:
    match block:
        case Paragraph(lines):
            return f'<p style="{TEXT_STYLE}">{_render_lines(lines)}</p>'
        case Heading(line):
            return f'<h2 style="{HEADING_STYLE}">{render_html_line(line)}</h2>'
        case HorizontalRule():
            return f'<hr style="{RULE_STYLE}">'
        case ListBlock(is_ordered, items):
            tag, list_style_type = ("ol", "decimal") if is_ordered else ("ul", "disc")
            rendered_items = "".join(f'<li style="{LIST_ITEM_STYLE}">{_render_lines(item)}</li>' for item in items)
            return f'<{tag} style="{LIST_STYLE} list-style-type: {list_style_type};">{rendered_items}</{tag}>'
        case InsetText(lines):
            return f'<blockquote style="{INSET_STYLE}"><p style="{TEXT_STYLE}">{_render_lines(lines)}</p></blockquote>'
    raise TypeError(f"not a markdown block: {block!r}")


def render_html_line(line: Line) -> str:
    return "".join(_render_inline(piece) for piece in line)


def _render_lines(lines: tuple[Line, ...]) -> str:
    return "<br>".join(render_html_line(line) for line in lines)


def _render_inline(piece: Inline) -> str:
    if isinstance(piece, Link):
        return f'<a style="{LINK_STYLE}" href="{escape(href_for(piece.href))}">{escape(piece.text, quote=False)}</a>'
    return escape(piece.text, quote=False)


def href_for(url: str) -> str:
    """Percent-encode what may not appear raw in a URL (spaces, quotes, angle brackets, non-ASCII)."""
    return quote(url, safe=_SAFE_IN_URL)
