"""Find web addresses in text: a domain with a dot and a 2–63 letter top-level domain, optionally a scheme and path.

Used both to autolink addresses in emails and to strip them from personalisation that a service asked us to
sanitise, so the two always agree on what counts as a link. Parts of email addresses are not addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

URL_PATTERN = re.compile(
    # Not inside an email address's domain, a longer dotted name or a hyphenated word. Refusing to start after a
    # hyphen also keeps the search linear on long hyphenated text.
    r"\b(?<![@.\w-])"
    r"(?:https?://)?"
    r"(?:[\w-]+\.)+"  # labels, each followed by a dot
    r"[a-z]{2,63}"  # top-level domain
    r"\b(?!@)"  # not the local part of an email address (first.last@)
    r"(?:[/?#][^\s<]*)?",  # path, query or fragment
    re.IGNORECASE,
)

# Punctuation that usually ends the sentence around an address rather than the address itself.
_TRAILING_PUNCTUATION = ".,:;!?'\""
_CLOSING_TO_OPENING = {")": "(", "]": "["}


def trim_trailing_punctuation(url: str) -> str:
    """Drop sentence punctuation from the end of `url`, and closing brackets that have no opening partner in it.

    One pass from the end, keeping bracket counts up to date as characters are dropped, so an address followed
    by a long run of `)` costs time in proportion to its length (counting again at each step was quadratic).
    """
    counts = {bracket: url.count(bracket) for bracket in "()[]"}
    end = len(url)
    while end:
        last = url[end - 1]
        opening = _CLOSING_TO_OPENING.get(last)
        if opening is not None and counts[opening] < counts[last]:
            counts[last] -= 1
        elif last not in _TRAILING_PUNCTUATION:
            break
        end -= 1
    return url[:end]


def find_urls(text: str) -> Iterator[tuple[int, int]]:
    """Yield the `(start, end)` span of each address in `text`, trailing punctuation left out."""
    for match in URL_PATTERN.finditer(text):
        url = trim_trailing_punctuation(match.group(0))
        if url:
            yield match.start(), match.start() + len(url)


def has_scheme(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
