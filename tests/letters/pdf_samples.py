"""PDFs for the precompiled-letter tests: letters drawn with reportlab as a client would, and hostile files."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

ADDRESS = ("Ann Other", "1 High Street", "sw1a1aa")

Drawing = Callable[[Canvas, int], None]


def letter_pdf(
    *,
    address: Sequence[str] = ADDRESS,
    pages: int = 1,
    page_size: tuple[float, float] = A4,
    draw: Drawing | None = None,
    tag: bool = True,
    turned: bool = False,
) -> bytes:
    """An A4 letter as Notify's specification asks: the address in the window on page 1 (Helvetica 8 pt), a white
    NOTIFY tag in the top-left corner, a line of body text and a box on every page. ``turned``: the same letter on
    landscape pages shown portrait by /Rotate 90."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size)
    height = page_size[1]
    for page in range(pages):
        if turned:
            canvas.setPageRotation(90)  # reportlab then writes the media box landscape
            canvas.transform(0, 1, -1, 0, height, 0)  # draw in the portrait page's coordinates
        if page == 0:
            canvas.setFont("Helvetica", 8)
            for number, line in enumerate(address):
                canvas.drawString(26 * mm, height - 45 * mm - number * 8.5, line)
            if tag:
                canvas.setFillColorRGB(1, 1, 1)
                canvas.setFont("Helvetica", 6)
                canvas.drawString(1.8 * mm, height - 3.6 * mm, "NOTIFY")
                canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont("Helvetica", 12)
        canvas.drawString(20 * mm, height - 120 * mm, f"Dear customer, page {page + 1}")
        canvas.rect(20 * mm, 30 * mm, 60 * mm, 20 * mm, fill=1)
        if draw is not None:
            draw(canvas, page)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_of(objects: Sequence[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, object 1 the catalog) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def huge_page_count_pdf() -> bytes:
    """A page tree that declares ten million pages."""
    return _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 10000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def deeply_nested_pdf(depth: int = 100_000) -> bytes:
    """A page whose dictionary nests arrays ``depth`` deep."""
    nested = b"[" * depth + b"]" * depth
    return _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Junk " + nested + b" >>",
        ]
    )


def flate_bomb_pdf(decoded_bytes: int = 400 * 1024 * 1024) -> bytes:
    """A page whose content stream is a few hundred KB of deflate that inflates to ``decoded_bytes`` of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    compressed = b"".join(compressor.compress(chunk) for _ in range(decoded_bytes // len(chunk)))
    compressed += compressor.flush()
    return _pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed) + compressed + b"\nendstream",
        ]
    )
