"""How a service's contact link is shown on the download page: a web link, a mailto link or a phone number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

_WEB_ADDRESS = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Contact:
    text: str
    href: str | None  # None: shown as text only (a phone number)


def contact_for(contact_link: str | None) -> Contact | None:
    if not contact_link:
        return None
    if _WEB_ADDRESS.fullmatch(contact_link):
        return Contact(text=contact_link, href=contact_link)
    if "@" in contact_link:
        return Contact(text=contact_link, href=f"mailto:{quote(contact_link, safe='@')}")
    return Contact(text=contact_link, href=None)
