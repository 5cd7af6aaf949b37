"""A letter job row's recipient: its address columns checked with a single letter's rules and words (letters.md §2.2).

The row's address is read, cleaned and checked by the same code as a single letter's (`postal_address.py`), and its
letter gets the same `to` (the printed lines) and postage (the template's, or the address's international zone).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.letters.create_pdf import LETTER_MAX_BODY_CHARACTERS
from app.letters.postal_address import address_lines_from, parse_postal_address, postal_address_problem
from app.letters.send_letter import letter_recipient, postage_for
from app.recipients.errors import InvalidRecipientError

# A printed address line holds about 50 characters; ten times that is room for any real address line, and cleaning
# and checking it stays cheap.
MAX_ADDRESS_CELL_LENGTH = 500
# Any other cell: no value longer than the body of a 10-page letter can be printed.
MAX_LETTER_CELL_LENGTH = LETTER_MAX_BODY_CHARACTERS


def prepare_letter_recipient(
    address_cells: Mapping[str, str], *, can_send_international: bool, template_postage: str | None
) -> tuple[str, str, bool, str]:
    """The row's letter `to`, normalised `to`, whether it is international, and its postage. Raises
    InvalidRecipientError with the first address rule the cells break."""
    address = parse_postal_address(address_lines_from(address_cells))
    problem = postal_address_problem(address, can_send_international=can_send_international)
    if problem is not None:
        raise InvalidRecipientError(problem)
    recipient = letter_recipient(address)
    return recipient.to, recipient.normalised_to, recipient.is_international, postage_for(template_postage, address)
