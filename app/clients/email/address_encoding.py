"""Make email addresses acceptable to SES: IDNA (punycode) domains, RFC 2047 encoded-word display names.

SES does not support SMTPUTF8: a domain with non-ASCII characters must be sent as punycode
(`user@bücher.example` → `user@xn--bcher-kva.example`), and a non-ASCII display name in the From address as an
encoded word. A non-ASCII local part cannot be encoded at all; SES will refuse it.
"""

from __future__ import annotations

import re
from email.utils import formataddr, unquote

_NAMED_ADDRESS = re.compile(r"^(?P<display_name>[^<]*)<(?P<address>[^<>]*)>\s*$")


class UnencodableAddressError(ValueError):
    """The address has no `local@domain` shape, or its domain is not a valid internationalised domain name."""


def encode_email_address(address: str) -> str:
    """The bare address `local@domain` with its domain in IDNA (punycode) form."""
    local_part, at_sign, domain = address.strip().rpartition("@")
    if not at_sign or not local_part or not domain:
        raise UnencodableAddressError("not an email address")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise UnencodableAddressError("the domain is not a valid internationalised domain name") from error
    return f"{local_part}@{ascii_domain}"


def encode_sender_address(sender: str) -> str:
    """A From address, bare or `"Display name" <local@domain>`: domain in IDNA, non-ASCII name as an encoded word.

    An ASCII display name is kept exactly as the caller quoted it.
    """
    match = _NAMED_ADDRESS.match(sender.strip())
    if match is None:
        return encode_email_address(sender)
    display_name = match["display_name"].strip()
    address = encode_email_address(match["address"])
    if not display_name:
        return address
    if display_name.isascii():
        return f"{display_name} <{address}>"
    return formataddr((unquote(display_name), address), charset="utf-8")
