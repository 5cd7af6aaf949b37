"""The headers of the download page's answers: a strict policy for its pages, and a file that is only ever saved."""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

from flask import Response

NONCE_BYTES = 16
# Pages: nothing loads but the page's own inline style (by nonce); forms post only back to Herald; never framed.
PAGE_POLICY = (
    "default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# A file opened in the browser anyway (a type it shows) runs nothing and reaches nothing.
FILE_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
_UNSAFE_IN_QUOTED_NAME = re.compile(r"[^A-Za-z0-9._ ()-]")


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def add_common_headers(response: Response, nonce: str) -> Response:
    """The key is in the page's address: it must never leave in a Referer, a cache or a frame."""
    headers = response.headers
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = "no-store"
    headers["Pragma"] = "no-cache"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers.setdefault("Content-Security-Policy", PAGE_POLICY.format(nonce=nonce))
    return response


def file_response(content: bytes, *, filename: str, mimetype: str) -> Response:
    content_type = f"{mimetype}; charset=utf-8" if mimetype.startswith("text/") else mimetype
    response = Response(content, status=200, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Content-Security-Policy"] = FILE_POLICY
    return response


def content_disposition(filename: str) -> str:
    """`attachment` with the name twice (RFC 6266): a plain ASCII fallback, and the exact name as `filename*`
    (RFC 8187 UTF-8, percent-encoded). Path separators and control characters never survive into either."""
    cleaned = "".join(character for character in filename if character.isprintable() and character not in "/\\")
    cleaned = cleaned.strip().lstrip(".") or "file"
    fallback = _UNSAFE_IN_QUOTED_NAME.sub("_", cleaned)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
