"""Draw a templated letter as an A4 PDF with reportlab, laid out as Notify's letters are (letters.md §7.4).

Page 1: the recipient's address in the envelope window, the contact block top right, then from 104 mm the date,
the heading and the body. Every page: `Page N of M` bottom right. Helvetica is the metric twin of the Nimbus Sans
that Notify prints in. Drawing is bounded by the caller: a body too long for 10 pages is refused before it gets here.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from app.templating.letter import LetterBlock

PAGE_WIDTH, PAGE_HEIGHT = A4
FONT = "Helvetica"
BOLD_FONT = "Helvetica-Bold"
LEFT_MARGIN = 15 * mm
BOTTOM_MARGIN = 15 * mm
LATER_TOP_MARGIN = 15 * mm
FIRST_PAGE_BODY_TOP = 104 * mm
CONTENT_WIDTH = 137.5 * mm
ADDRESS_LEFT = 24.6 * mm
ADDRESS_BOTTOM = 66.2 * mm
ADDRESS_MAX_HEIGHT = 26.7 * mm
ADDRESS_WIDTH = 85 * mm
CONTACT_RIGHT = 200 * mm
CONTACT_WIDTH = 71.2 * mm
CONTACT_BOTTOM = 82.2 * mm
CONTACT_MAX_HEIGHT = 132  # points
PAGE_NUMBER_RIGHT = 200 * mm
PAGE_NUMBER_BASELINE = 8 * mm
TAG_POSITION = (1.8 * mm, 1.8 * mm)

BODY = ParagraphStyle("body", fontName=FONT, fontSize=12.5, leading=16, spaceAfter=8, orphans=4)
HEADING_1 = ParagraphStyle("heading-1", fontName=BOLD_FONT, fontSize=20, leading=23.4, spaceBefore=4, spaceAfter=12)
HEADING_2 = ParagraphStyle("heading-2", fontName=BOLD_FONT, fontSize=14, leading=18, spaceBefore=6, spaceAfter=6)
LIST_ITEM = ParagraphStyle("list-item", parent=BODY, leftIndent=7 * mm, bulletIndent=1 * mm, spaceAfter=4)
ADDRESS = ParagraphStyle("address", fontName=FONT, fontSize=8, leading=8.5)
CONTACT = ParagraphStyle("contact", fontName=FONT, fontSize=10, leading=12)


@dataclass(frozen=True)
class LetterToPrint:
    """Everything printed on a templated letter, already filled: plain text, never markup."""

    address_lines: Sequence[str]
    contact_block: str | None
    date: str  # `5 June 2024`
    heading: str
    blocks: Sequence[LetterBlock]


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    page_count: int

    @property
    def sheet_count(self) -> int:
        """Printed double-sided: one sheet per two pages."""
        return math.ceil(self.page_count / 2)


def _markup(text: str) -> str:
    return escape(text)


def _flowables(letter: LetterToPrint) -> list[Flowable]:
    story: list[Flowable] = [
        NextPageTemplate("later"),
        Paragraph(_markup(letter.date), BODY),
        Paragraph(_markup(letter.heading), HEADING_1),
    ]
    for block in letter.blocks:
        if block.kind == "page_break":
            story.append(PageBreak())
        elif block.kind == "heading":
            story.append(Paragraph(_markup(block.text), HEADING_2))
        elif block.kind == "bullet":
            story.append(Paragraph(_markup(block.text), LIST_ITEM, bulletText="\u2022"))
        elif block.kind == "numbered":
            story.append(Paragraph(_markup(block.text), LIST_ITEM, bulletText=f"{block.number}."))
        else:
            story.append(Paragraph(_markup(block.text), BODY))
    story.append(Spacer(1, 0))
    return story


def _draw_clipped_lines(
    canvas: Canvas,
    lines: Sequence[str],
    style: ParagraphStyle,
    *,
    left: float,
    bottom: float,
    width: float,
    height: float,
) -> None:
    """Lines from the top of a box whose bottom edge is fixed, each on one row, clipped to the box."""
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(left, PAGE_HEIGHT - bottom, width, height)
    canvas.clipPath(path, stroke=0, fill=0)
    canvas.setFont(style.fontName, style.fontSize)
    rows = max(1, int(height // style.leading))
    shown = list(lines)[:rows]
    top_baseline = PAGE_HEIGHT - bottom + len(shown) * style.leading - style.fontSize
    for index, line in enumerate(shown):
        canvas.drawString(left, top_baseline - index * style.leading, line)
    canvas.restoreState()


def _first_page(letter: LetterToPrint) -> Any:
    def draw(canvas: Canvas, _document: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(white)
        canvas.setFont(FONT, 6)
        canvas.drawString(TAG_POSITION[0], PAGE_HEIGHT - TAG_POSITION[1] - 6, "NOTIFY")
        canvas.restoreState()
        _draw_clipped_lines(
            canvas,
            [line.upper() for line in letter.address_lines],
            ADDRESS,
            left=ADDRESS_LEFT,
            bottom=ADDRESS_BOTTOM,
            width=ADDRESS_WIDTH,
            height=ADDRESS_MAX_HEIGHT,
        )
        if letter.contact_block:
            _draw_clipped_lines(
                canvas,
                letter.contact_block.splitlines(),
                CONTACT,
                left=CONTACT_RIGHT - CONTACT_WIDTH,
                bottom=CONTACT_BOTTOM,
                width=CONTACT_WIDTH,
                height=CONTACT_MAX_HEIGHT,
            )

    return draw


class _NumberedCanvas(Canvas):
    """Holds each page until the end, so every page can say `Page N of M`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset, not in its stubs

    def save(self) -> None:
        total = len(self._pages)
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self.setFont(FONT, 10)
            self.drawRightString(PAGE_NUMBER_RIGHT, PAGE_NUMBER_BASELINE, f"Page {number} of {total}")
            super().showPage()
        super().save()


def render_letter_pdf(letter: LetterToPrint) -> RenderedLetter:
    """Draw the letter; returns the PDF bytes and its page count."""
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=PAGE_WIDTH - LEFT_MARGIN - CONTENT_WIDTH,
        topMargin=LATER_TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=letter.heading,
        author="Herald",
        creator="Herald",
        invariant=True,
    )
    first_frame = Frame(
        LEFT_MARGIN, BOTTOM_MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - FIRST_PAGE_BODY_TOP - BOTTOM_MARGIN, id="first"
    )
    later_frame = Frame(
        LEFT_MARGIN, BOTTOM_MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - LATER_TOP_MARGIN - BOTTOM_MARGIN, id="later"
    )
    document.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first_frame], onPage=_first_page(letter)),
            PageTemplate(id="later", frames=[later_frame]),
        ]
    )
    document.build(_flowables(letter), canvasmaker=_NumberedCanvas)
    return RenderedLetter(pdf=buffer.getvalue(), page_count=int(document.page))
