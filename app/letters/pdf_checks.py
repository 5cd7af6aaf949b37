"""Check a precompiled letter's PDF as Notify's sanitiser does, in its order (letters.md §3.4), with pypdf.

1. readable: pypdf opens it (size bounded first; pypdf's own decompression limits lowered; any exception, a
   RecursionError from deeply nested objects included, is `unable-to-read-the-file`);
2. at most 10 pages, read from the page tree's /Count before any page is parsed;
3. every page A4 portrait (210 x 297 mm, +/- 2 mm, /Rotate 0 or 180) or A4 landscape turned by /Rotate 90 or 270;
4. nothing painted outside the printable areas (each enlarged by 1 mm). Notify renders each page to pixels; here
   the content stream is read instead, and what it checks is: the start and the estimated end of every run of
   text, every corner of a rectangle, every point of a painted path, and the corners of every image or form drawn
   (`Do`, inline images), each mapped through the current transformation. What is painted white (fill or stroke
   colour white in gray, RGB or CMYK) is ignored, as it is invisible on paper; clipping paths are ignored.
   A shape whose corners all lie in allowed areas but which crosses a gap between them is not caught;
5. no `NOTIFY` text in the tag corner of a page after the first;
6. the address: the text whose start lies in the address window of page 1 (+/- 3 mm), NFKD-normalised, grouped
   into lines top to bottom, then Notify's address rules (letters.md §2.2), with their sanitiser codes.
"""

from __future__ import annotations

import io
import logging
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, IndirectObject
from reportlab.pdfbase import pdfmetrics

from app.letters import postal_address
from app.letters.postal_address import PostalAddress, parse_postal_address, postal_address_problem

logger = logging.getLogger(__name__)

LETTER_MAX_PAGE_COUNT = 10
# Notify's letter specification allows 2 MB; its Node client refuses over 5 MB: nothing bigger is parsed.
MAX_PDF_BYTES = 5 * 1024 * 1024
# A page's content stream, decoded, bigger than this is not a letter (pypdf's own limit is 75 MB).
MAX_DECODED_STREAM_BYTES = 20 * 1024 * 1024
MAX_OPERATIONS_PER_PAGE = 500_000
MM = 72 / 25.4
A4_WIDTH_MM, A4_HEIGHT_MM = 210.0, 297.0
A4_TOLERANCE_MM = 2.0
AREA_MARGIN_MM = 1.0
ADDRESS_WINDOW_MARGIN_MM = 3.0
TAG_TEXT = "NOTIFY"

UNREADABLE = "unable-to-read-the-file"
TOO_LONG = "letter-too-long"
NOT_A4 = "letter-not-a4-portrait-oriented"
OUTSIDE_PRINTABLE_AREA = "content-outside-printable-area"
NOTIFY_TAG_FOUND = "notify-tag-found-in-content"
ADDRESS_EMPTY = "address-is-empty"
_ADDRESS_CODES = {
    postal_address.TOO_FEW_LINES: "not-enough-address-lines",
    postal_address.TOO_MANY_LINES: "too-many-address-lines",
    postal_address.FIRST_LINES_NOT_ALPHANUMERIC: "invalid-address-line-1-or-2",
    postal_address.BFPO_WITH_COUNTRY: "has-country-for-bfpo-address",
    postal_address.NOT_UK_POSTCODE_OR_COUNTRY: "not-a-real-uk-postcode-or-country",
    postal_address.NOT_UK_POSTCODE: "not-a-real-uk-postcode",
    postal_address.INVALID_FIRST_CHARACTER: "invalid-char-in-address",
    postal_address.NOT_A_REAL_ADDRESS: "no-fixed-abode-address",
}
CANT_SEND_INTERNATIONAL = "cant-send-international-letters"


@dataclass(frozen=True)
class Box:
    """A rectangle in mm from the page's top-left corner."""

    left: float
    right: float
    top: float
    bottom: float

    def grown(self, by: float) -> Box:
        return Box(self.left - by, self.right + by, self.top - by, self.bottom + by)

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


BODY = Box(15.0, 195.0, 5.0, 292.0)
FIRST_PAGE_AREAS = (
    Box(15.0, 125.0, 5.0, 30.0),  # logo
    Box(125.0, 195.0, 5.0, 95.0),  # the sender's address / contact column
    Box(24.6, 120.0, 39.5, 66.3),  # the recipient's address window
    Box(15.0, 195.0, 95.0, 292.0),  # body
)
ADDRESS_WINDOW = FIRST_PAGE_AREAS[2].grown(ADDRESS_WINDOW_MARGIN_MM)
TAG_CORNER = Box(0.0, 15.0, 0.0, 5.0)


@dataclass(frozen=True)
class PdfCheck:
    """The outcome: `message` is None when the file passed; `address` is the one read from page 1 when it did."""

    page_count: int = 0
    message: str | None = None
    invalid_pages: tuple[int, ...] = ()
    address: PostalAddress | None = None

    @property
    def passed(self) -> bool:
        return self.message is None

    @property
    def sheet_count(self) -> int:
        return math.ceil(self.page_count / 2)


class _UnreadablePdf(Exception):
    pass


def check_precompiled_pdf(pdf: bytes, *, can_send_international: bool) -> PdfCheck:
    """Run every check in Notify's order; the first that fails is the answer. Never raises for a bad file."""
    if len(pdf) > MAX_PDF_BYTES:
        return PdfCheck(message=UNREADABLE)
    try:
        return _checked(pdf, can_send_international=can_send_international)
    except (Exception, RecursionError):
        # Anything pypdf or this module trips over in a hostile file: refused, never retried.
        logger.info("Precompiled PDF unreadable", exc_info=True)
        return PdfCheck(message=UNREADABLE)


def _checked(pdf: bytes, *, can_send_international: bool) -> PdfCheck:
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    if reader.is_encrypted:
        return PdfCheck(message=UNREADABLE)
    page_count = _declared_page_count(reader)
    if page_count < 1:
        return PdfCheck(message=UNREADABLE)
    if page_count > LETTER_MAX_PAGE_COUNT:
        return PdfCheck(page_count=page_count, message=TOO_LONG)
    pages = [reader.pages[index] for index in range(page_count)]
    if len(pages) != page_count:
        return PdfCheck(message=UNREADABLE)
    not_a4 = tuple(number for number, page in enumerate(pages, 1) if not _is_a4_portrait(page))
    if not_a4:
        return PdfCheck(page_count=page_count, message=NOT_A4, invalid_pages=not_a4)
    marks = [_marks_of(page, reader) for page in pages]
    outside = tuple(
        number
        for number, page_marks in enumerate(marks, 1)
        if any(not _allowed(mark, first_page=number == 1) for mark in page_marks.points)
    )
    if outside:
        return PdfCheck(page_count=page_count, message=OUTSIDE_PRINTABLE_AREA, invalid_pages=outside)
    tagged = tuple(number for number, page in enumerate(pages[1:], 2) if _has_tag(_texts_of(page)))
    if tagged:
        return PdfCheck(page_count=page_count, message=NOTIFY_TAG_FOUND, invalid_pages=tagged)
    return _address_check(_texts_of(pages[0]), page_count, can_send_international=can_send_international)


def _declared_page_count(reader: PdfReader) -> int:
    """The page tree's /Count, read without walking (a file may declare millions of pages)."""
    root: Any = reader.trailer["/Root"].get_object()
    return int(root["/Pages"].get_object()["/Count"])


def _is_a4_portrait(page: Any) -> bool:
    box = page.mediabox
    width, height = float(box.width) / MM, float(box.height) / MM
    rotation = int(page.get("/Rotate", 0) or 0) % 360
    if rotation in (90, 270):
        width, height = height, width
    elif rotation not in (0, 180):
        return False
    return abs(width - A4_WIDTH_MM) <= A4_TOLERANCE_MM and abs(height - A4_HEIGHT_MM) <= A4_TOLERANCE_MM


@dataclass(frozen=True)
class _PageFrame:
    """Maps a point of the page's user space to mm from the top-left of the page as printed (after /Rotate)."""

    left: float
    bottom: float
    width: float
    height: float
    rotation: int

    @classmethod
    def of(cls, page: Any) -> _PageFrame:
        box = page.mediabox
        rotation = int(page.get("/Rotate", 0) or 0) % 360
        return cls(float(box.left), float(box.bottom), float(box.width), float(box.height), rotation)

    def to_mm(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.left, y - self.bottom
        if self.rotation == 90:  # turned clockwise: printed width is the box's height
            x, y, printed_height = y, self.width - x, self.width
        elif self.rotation == 180:
            x, y, printed_height = self.width - x, self.height - y, self.height
        elif self.rotation == 270:
            x, y, printed_height = self.height - y, x, self.width
        else:
            printed_height = self.height
        return (x / MM, (printed_height - y) / MM)


@dataclass(frozen=True)
class _Text:
    x: float  # mm from the left
    y: float  # mm from the top (the baseline)
    text: str


@dataclass
class _PageMarks:
    points: list[tuple[float, float]] = field(default_factory=list)  # mm from the top-left


def _allowed(point: tuple[float, float], *, first_page: bool) -> bool:
    x, y = point
    areas = FIRST_PAGE_AREAS if first_page else (BODY,)
    return any(area.grown(AREA_MARGIN_MM).holds(x, y) for area in areas)


def _has_tag(texts: Sequence[_Text]) -> bool:
    return any(TAG_TEXT in text.text.upper() and TAG_CORNER.holds(text.x, text.y) for text in texts)


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def _numbers(operands: Sequence[Any], count: int) -> list[float] | None:
    if len(operands) < count:
        return None
    try:
        return [float(value) for value in operands[:count]]
    except (TypeError, ValueError):
        return None


def _is_white(operator: bytes, operands: Sequence[Any]) -> bool:
    values = _numbers(operands, len(operands)) or []
    if operator in (b"g", b"G", b"rg", b"RG"):
        return bool(values) and all(value >= 1.0 for value in values)
    if operator in (b"k", b"K"):
        return bool(values) and all(value <= 0.0 for value in values)
    return False


_FILL_COLOUR = {b"g", b"rg", b"k", b"sc", b"scn"}
_STROKE_COLOUR = {b"G", b"RG", b"K", b"SC", b"SCN"}
_FILLS = {b"f", b"F", b"f*"}
_STROKES = {b"S", b"s"}
_FILLS_AND_STROKES = {b"B", b"B*", b"b", b"b*"}


# A glyph of a font whose widths are unknown is taken as half an em: about Helvetica's average.
FALLBACK_GLYPH_WIDTH = 0.5
_STANDARD_FONTS = frozenset(pdfmetrics.standardFonts)


@dataclass(frozen=True)
class _FontWidths:
    """A simple font's glyph widths (in em) by character code: its /Widths, or a standard font's metrics."""

    base_font: str | None
    first_char: int = 0
    widths: tuple[float, ...] = ()

    def width(self, text: str) -> float:
        if self.widths:
            last = self.first_char + len(self.widths)
            return sum(
                self.widths[ord(ch) - self.first_char] if self.first_char <= ord(ch) < last else FALLBACK_GLYPH_WIDTH
                for ch in text
            )
        if self.base_font is not None and self.base_font in _STANDARD_FONTS:
            return float(pdfmetrics.stringWidth(text, self.base_font, 1))
        return len(text) * FALLBACK_GLYPH_WIDTH


def _font_widths(resources: Any, name: Any) -> _FontWidths | None:
    fonts = _resolved(_resolved(resources).get("/Font")) if resources is not None else None
    if not fonts or name not in fonts:
        return None
    font = _resolved(fonts[name])
    base_font = str(font.get("/BaseFont", ""))[1:] or None
    widths = _numbers(_resolved(font.get("/Widths", ArrayObject())), len(_resolved(font.get("/Widths", ()))))
    if widths and len(widths) <= 65_536:
        return _FontWidths(base_font, int(font.get("/FirstChar", 0)), tuple(width / 1000 for width in widths))
    return _FontWidths(base_font)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill_white: bool = False
    stroke_white: bool = False
    font_size: float = 12.0
    font: _FontWidths | None = None
    leading: float = 0.0
    char_spacing: float = 0.0
    horizontal_scale: float = 1.0

    def copy(self) -> _State:
        return _State(**self.__dict__)


class _PageReader:
    """Walks one page's content stream (and the forms it draws, once each) collecting what it paints."""

    def __init__(self, page: Any, reader: PdfReader) -> None:
        self.reader = reader
        self.frame = _PageFrame.of(page)
        self.marks = _PageMarks()
        self.operations = 0
        self.seen_forms: set[int] = set()

    def to_mm(self, x: float, y: float) -> tuple[float, float]:
        return self.frame.to_mm(x, y)

    def walk(self, content: Any, resources: Any, state: _State) -> None:
        if content is None:
            return
        walk = _StreamWalk(self, resources, state)
        for operands, operator in ContentStream(content, self.reader).operations:
            self.operations += 1
            if self.operations > MAX_OPERATIONS_PER_PAGE:
                raise _UnreadablePdf("too many operations")
            walk.step(operator, operands)

    def _show_text(self, operator: bytes, operands: Sequence[Any], state: _State, text_matrix: Matrix) -> Matrix:
        """Mark where a run of text starts and ends; return the text matrix after it."""
        text = _shown_text(operator, operands)
        if not text:
            return text_matrix
        width = state.font.width(text) if state.font is not None else len(text) * FALLBACK_GLYPH_WIDTH
        advance = (width * state.font_size + len(text) * state.char_spacing) * state.horizontal_scale
        after = _multiply((1, 0, 0, 1, advance, 0), text_matrix)
        if not state.fill_white and text.strip():
            start = _apply(_multiply(text_matrix, state.ctm), 0, 0)
            end = _apply(_multiply(after, state.ctm), 0, 0)
            self.marks.points.extend([self.to_mm(*start), self.to_mm(*end)])
        return after

    def _mark_unit_square(self, ctm: Matrix) -> None:
        self.marks.points.extend(self.to_mm(*_apply(ctm, x, y)) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1)))

    def _draw_xobject(self, resources: Any, name: Any, state: _State) -> None:
        xobjects = _resolved(_resolved(resources).get("/XObject")) if resources is not None else None
        if not xobjects or name not in xobjects:
            return
        reference = xobjects.raw_get(name)
        xobject = _resolved(reference)
        if xobject.get("/Subtype") == "/Image":
            if not state.fill_white or not xobject.get("/ImageMask"):
                self._mark_unit_square(state.ctm)
            return
        key = reference.idnum if isinstance(reference, IndirectObject) else id(xobject)
        if key in self.seen_forms:
            return
        self.seen_forms.add(key)
        form_state = state.copy()
        if (m := _numbers(_resolved(xobject.get("/Matrix", ArrayObject())), 6)) is not None:
            form_state.ctm = _multiply((m[0], m[1], m[2], m[3], m[4], m[5]), state.ctm)
        self.walk(xobject, xobject.get("/Resources", resources), form_state)


class _StreamWalk:
    """One content stream's graphics state, path and text position, operator by operator."""

    def __init__(self, page: _PageReader, resources: Any, state: _State) -> None:
        self.page = page
        self.resources = resources
        self.state = state
        self.stack: list[_State] = []
        self.path: list[tuple[float, float]] = []
        self.text_matrix = self.line_matrix = IDENTITY

    def step(self, operator: bytes, operands: Sequence[Any]) -> None:
        if operator in _GRAPHICS_OPERATORS:
            self._graphics(operator, operands)
        elif operator in _PATH_OPERATORS:
            self._path(operator, operands)
        elif operator in _PAINT_OPERATORS:
            self._paint(operator)
        elif operator in _TEXT_OPERATORS:
            self._text(operator, operands)
        if operator in _SHOW_TEXT_OPERATORS:
            self.text_matrix = self.page._show_text(operator, operands, self.state, self.text_matrix)
        elif operator == b"Do" and operands:
            self.page._draw_xobject(self.resources, operands[0], self.state)
        elif operator == b"INLINE IMAGE" and not self.state.fill_white:
            self.page._mark_unit_square(self.state.ctm)

    def _graphics(self, operator: bytes, operands: Sequence[Any]) -> None:
        state = self.state
        if operator == b"q":
            self.stack.append(state.copy())
        elif operator == b"Q":
            self.state = self.stack.pop() if self.stack else state
        elif operator == b"cm" and (m := _numbers(operands, 6)):
            state.ctm = _multiply((m[0], m[1], m[2], m[3], m[4], m[5]), state.ctm)
        elif operator in _FILL_COLOUR:
            state.fill_white = _is_white(operator, operands)
        elif operator in _STROKE_COLOUR:
            state.stroke_white = _is_white(operator, operands)

    def _path(self, operator: bytes, operands: Sequence[Any]) -> None:
        ctm = self.state.ctm
        if operator == b"re" and (r := _numbers(operands, 4)):
            x, y, w, h = r
            corners = ((x, y), (x + w, y), (x, y + h), (x + w, y + h))
            self.path.extend(_apply(ctm, px, py) for px, py in corners)
        elif (points := _numbers(operands, len(operands))) is not None:
            self.path.extend(_apply(ctm, points[i], points[i + 1]) for i in range(0, len(points) - 1, 2))

    def _paint(self, operator: bytes) -> None:
        state = self.state
        if operator in _FILLS:
            white = state.fill_white
        elif operator in _STROKES:
            white = state.stroke_white
        else:
            white = state.fill_white and state.stroke_white
        if operator != b"n" and not white:
            self.page.marks.points.extend(self.page.to_mm(x, y) for x, y in self.path)
        self.path = []

    def _text(self, operator: bytes, operands: Sequence[Any]) -> None:
        state = self.state
        if operator == b"BT":
            self.text_matrix = self.line_matrix = IDENTITY
        elif operator == b"Tf" and len(operands) >= 2 and (size := _numbers(operands[1:], 1)):
            state.font_size = size[0]
            state.font = _font_widths(self.resources, operands[0])
        elif operator == b"TL" and (v := _numbers(operands, 1)):
            state.leading = v[0]
        elif operator == b"Tc" and (v := _numbers(operands, 1)):
            state.char_spacing = v[0]
        elif operator == b"Tz" and (v := _numbers(operands, 1)):
            state.horizontal_scale = v[0] / 100
        elif operator in (b"Td", b"TD") and (t := _numbers(operands, 2)):
            if operator == b"TD":
                state.leading = -t[1]
            self.text_matrix = self.line_matrix = _multiply((1, 0, 0, 1, t[0], t[1]), self.line_matrix)
        elif operator == b"Tm" and (m := _numbers(operands, 6)):
            self.text_matrix = self.line_matrix = (m[0], m[1], m[2], m[3], m[4], m[5])
        elif operator in (b"T*", b"'", b'"'):
            self.text_matrix = self.line_matrix = _multiply((1, 0, 0, 1, 0, -state.leading), self.line_matrix)


_GRAPHICS_OPERATORS = {b"q", b"Q", b"cm"} | _FILL_COLOUR | _STROKE_COLOUR
_PATH_OPERATORS = {b"re", b"m", b"l", b"c", b"v", b"y"}
_PAINT_OPERATORS = _FILLS | _STROKES | _FILLS_AND_STROKES | {b"n"}
_TEXT_OPERATORS = {b"BT", b"Tf", b"TL", b"Tc", b"Tz", b"Td", b"TD", b"Tm", b"T*", b"'", b'"'}
_SHOW_TEXT_OPERATORS = {b"Tj", b"TJ", b"'", b'"'}


def _resolved(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _shown_text(operator: bytes, operands: Sequence[Any]) -> str:
    if operator == b"TJ":
        parts: Iterator[Any] = iter(operands[0]) if operands and isinstance(operands[0], list) else iter(())
    else:
        parts = iter(operands[-1:])
    return "".join(_decoded(part) for part in parts if isinstance(part, (str, bytes)))


def _decoded(part: str | bytes) -> str:
    if isinstance(part, bytes):
        return part.decode("latin-1")
    return str(part)


def _marks_of(page: Any, reader: PdfReader) -> _PageMarks:
    page_reader = _PageReader(page, reader)
    contents = page.get_contents()
    if contents is not None and len(contents.get_data()) > MAX_DECODED_STREAM_BYTES:
        raise _UnreadablePdf("content stream too big")
    page_reader.walk(contents, page.get("/Resources"), _State())
    return page_reader.marks


def _texts_of(page: Any) -> list[_Text]:
    """The page's text runs where they start, decoded by pypdf through each font's encoding and ToUnicode map."""
    frame = _PageFrame.of(page)
    texts: list[_Text] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], *_: Any) -> None:
        if text.strip():
            x, y = _apply(_multiply(tuple(tm), tuple(cm)), 0, 0)  # type: ignore[arg-type]
            texts.append(_Text(*frame.to_mm(x, y), text))

    page.extract_text(visitor_text=visit)
    return texts


def _address_lines(texts: Sequence[_Text]) -> list[str]:
    """The text in the address window, NFKD-normalised, one line per baseline (within 1 mm), top to bottom."""
    inside = sorted((text for text in texts if ADDRESS_WINDOW.holds(text.x, text.y)), key=lambda t: (t.y, t.x))
    lines: list[list[_Text]] = []
    for text in inside:
        if lines and abs(lines[-1][0].y - text.y) <= 1.0:
            lines[-1].append(text)
        else:
            lines.append([text])
    return [
        unicodedata.normalize("NFKD", "".join(part.text for part in sorted(line, key=lambda t: t.x))).strip()
        for line in lines
    ]


def _address_check(texts: Sequence[_Text], page_count: int, *, can_send_international: bool) -> PdfCheck:
    lines = [line for line in _address_lines(texts) if line]
    if not lines:
        return PdfCheck(page_count=page_count, message=ADDRESS_EMPTY, invalid_pages=(1,))
    address = parse_postal_address(lines)
    problem = postal_address_problem(address, can_send_international=can_send_international)
    if problem is not None:
        international_refused = (
            problem == postal_address.NOT_UK_POSTCODE and address.country is not None and not can_send_international
        )
        code = CANT_SEND_INTERNATIONAL if international_refused else _ADDRESS_CODES[problem]
        return PdfCheck(page_count=page_count, message=code, invalid_pages=(1,))
    return PdfCheck(page_count=page_count, address=address)
