"""Validate every row of a recipient file against the template and the sender's rules, all before anything is stored.

Each problem becomes one message naming the row (numbered as a spreadsheet shows it) and, where there is one, the
column: `Row 7: phone number: Not a UK mobile number`. The messages after the colon are the ones a single send gets.

Every cell is measured before it is parsed or rendered: a phone number cell may hold at most 50 characters, an email
address cell 320, any other cell no more than the whole message may (918 characters for a text message, 2,000,000
for an email); a letter's address cells 500 and its other cells 60,000 (no 10-page letter prints more), so no cell
costs more work than a message can. A letter's address is checked as a single letter's is (`letter_rows.py`). A cell
over its bound is reported as
`Row 7: phone number: Too long: 450 characters (maximum 50)` and not looked at further.
A valid row is reduced to what a notification needs, stored exactly as the parse that validated it read it (a phone
number in E.164 form, an email address stripped), so processing the job later does no validation again and stores
nothing longer than its column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from app.jobs.columns import FileColumns
from app.jobs.errors import MAX_REPORTED_PROBLEMS, JobFileError
from app.jobs.letter_rows import MAX_ADDRESS_CELL_LENGTH, MAX_LETTER_CELL_LENGTH, prepare_letter_recipient
from app.jobs.recipient_file import FileRow, RecipientFile, cell_too_long_message
from app.models import TemplateType
from app.recipients.email_addresses import MAX_ADDRESS_LENGTH, normalise_email_address, validate_email_address
from app.recipients.errors import InvalidRecipientError
from app.recipients.guest_list import normalise_recipient_for_comparison
from app.recipients.phone_numbers import validate_phone_number
from app.templating.email import (
    EMAIL_BODY_BYTE_LIMIT,
    email_body_byte_count,
    email_too_long_message,
    fill_email_body,
    is_email_too_long,
)
from app.templating.placeholders import missing_personalisation_message
from app.templating.render_bounds import size_problem_before_rendering
from app.templating.sms import SMS_CHARACTER_LIMIT, is_sms_too_long, render_sms, sms_too_long_message

TRIAL_MODE_MESSAGE = (
    "Can’t send to this recipient when service is in trial mode – see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
TEAM_KEY_MESSAGE = "Can’t send to this recipient using a team-only API key"

# Written out with spaces, brackets and a country prefix, no real number needs more than about 25 characters.
MAX_PHONE_NUMBER_CELL_LENGTH = 50
MAX_RECIPIENT_CELL_LENGTHS = {
    TemplateType.SMS.value: MAX_PHONE_NUMBER_CELL_LENGTH,
    TemplateType.EMAIL.value: MAX_ADDRESS_LENGTH,
    TemplateType.LETTER.value: MAX_ADDRESS_CELL_LENGTH,
}
# Any other cell: no value longer than the whole message can be sent in it.
MAX_CELL_LENGTHS = {
    TemplateType.SMS.value: SMS_CHARACTER_LIMIT,
    TemplateType.EMAIL.value: EMAIL_BODY_BYTE_LIMIT,
    TemplateType.LETTER.value: MAX_LETTER_CELL_LENGTH,
}


@dataclass(frozen=True)
class SendingRules:
    """Who may receive, and what the template says."""

    template_type: str
    template_content: str
    can_send_international: bool
    template_subject: str | None = None  # emails: bounded once filled, like the body
    # None: anyone may receive. Otherwise the normalised recipients allowed, and why others are refused.
    allowed_recipients: frozenset[str] | None = None
    refusal_message: str = TRIAL_MODE_MESSAGE
    template_postage: str | None = None  # letters: the template's postage class


@dataclass(frozen=True)
class PreparedRow:
    """A valid row: the recipient as given and normalised, SMS billing facts, and the personalisation values."""

    to: str
    normalised_to: str
    phone_prefix: str | None
    rate_multiplier: int | None
    is_international: bool
    values: list[str]
    postage: str | None = None  # letters: the template's postage class, or the address's international zone


@dataclass
class PreparedRows:
    columns: list[str]  # personalisation keys, in the order of each row's values
    rows: list[PreparedRow] = field(default_factory=list)

    @property
    def international_count(self) -> int:
        return sum(1 for row in self.rows if row.is_international)


def normalised_recipients(allowed: Iterable[str]) -> frozenset[str]:
    """Normalise a guest list (team members included) for comparing with normalised recipients."""
    return frozenset(normalise_recipient_for_comparison(recipient) for recipient in allowed)


def validate_rows(recipient_file: RecipientFile, columns: FileColumns, rules: SendingRules) -> PreparedRows:
    """Validate every row; return them prepared, or raise JobFileError with every problem found (reported capped)."""
    prepared = PreparedRows(columns=[column.name for column in columns.personalisation])
    problems: list[str] = []
    total_problems = 0
    for row in recipient_file.rows:
        row_problems = list(_row_problems(row, recipient_file.header, columns, rules, prepared))
        total_problems += len(row_problems)
        if len(problems) < MAX_REPORTED_PROBLEMS:
            problems.extend(row_problems)
    if total_problems:
        raise JobFileError(problems, total=total_problems)
    return prepared


def _row_problems(
    row: FileRow, header: list[str], columns: FileColumns, rules: SendingRules, prepared: PreparedRows
) -> Iterator[str]:
    too_long = _too_long_cells(row, header, _recipient_indexes(columns), rules.template_type)
    if too_long:
        yield from (f"Row {row.number}: {problem}" for problem in too_long)
        return
    try:
        recipient = _prepare_recipient(row, columns, rules)
    except InvalidRecipientError as error:
        recipient = None
        yield f"Row {row.number}: {columns.recipient_name}: {error.message}"
    values = [row.cells[column.index] for column in columns.personalisation]
    missing = [
        column.name
        for column, value in zip(columns.personalisation, values, strict=True)
        if not column.is_optional and not value.strip()
    ]
    if missing:
        yield f"Row {row.number}: {missing_personalisation_message(missing)}"
    else:
        message_too_long = _too_long_message(rules, dict(zip(prepared.columns, values, strict=True)))
        if message_too_long:
            yield f"Row {row.number}: {message_too_long}"
    if recipient is not None and not missing:
        prepared.rows.append(_with_values(recipient, values))


def _recipient_indexes(columns: FileColumns) -> list[int]:
    if columns.is_address:
        return [column.index for column in columns.personalisation if column.name in columns.address_keys]
    return [columns.recipient_index]


def _too_long_cells(row: FileRow, header: list[str], recipient_indexes: list[int], template_type: str) -> list[str]:
    """`<column>: Too long: ...` for every cell over its bound (measuring a cell costs nothing)."""
    bounds = [MAX_CELL_LENGTHS[template_type]] * len(row.cells)
    for index in recipient_indexes:
        bounds[index] = MAX_RECIPIENT_CELL_LENGTHS[template_type]
    return [
        f"{name}: {cell_too_long_message(len(cell), maximum)}"
        for name, cell, maximum in zip(header, row.cells, bounds, strict=True)
        if len(cell) > maximum
    ]


def _prepare_recipient(row: FileRow, columns: FileColumns, rules: SendingRules) -> PreparedRow:
    cell = row.cells[columns.recipient_index]
    if columns.is_address:
        return _prepare_letter_recipient(row, columns, rules)
    if rules.template_type == TemplateType.SMS:
        number = validate_phone_number(cell, allow_international=rules.can_send_international)
        recipient = PreparedRow(
            to=f"+{number.normalised}",
            normalised_to=number.normalised,
            phone_prefix=number.country_prefix,
            rate_multiplier=number.rate_multiplier,
            is_international=number.is_international,
            values=[],
        )
    else:
        address = validate_email_address(cell)
        recipient = PreparedRow(
            to=address,
            normalised_to=normalise_email_address(address),
            phone_prefix=None,
            rate_multiplier=None,
            is_international=False,
            values=[],
        )
    if rules.allowed_recipients is not None and recipient.normalised_to not in rules.allowed_recipients:
        raise InvalidRecipientError(rules.refusal_message)
    return recipient


def _prepare_letter_recipient(row: FileRow, columns: FileColumns, rules: SendingRules) -> PreparedRow:
    address_keys = columns.address_keys
    address_cells = {
        column.name: row.cells[column.index] for column in columns.personalisation if column.name in address_keys
    }
    to, normalised_to, is_international, postage = prepare_letter_recipient(
        address_cells, can_send_international=rules.can_send_international, template_postage=rules.template_postage
    )
    return PreparedRow(
        to=to,
        normalised_to=normalised_to,
        phone_prefix=None,
        rate_multiplier=None,
        is_international=is_international,
        values=[],
        postage=postage,
    )


def _too_long_message(rules: SendingRules, personalisation: dict[str, str]) -> str | None:
    """Measured before filling (a cell used many times is not copied many times), then counted exactly."""
    problem = size_problem_before_rendering(
        rules.template_type, rules.template_content, rules.template_subject, personalisation
    )
    if problem is not None or rules.template_type == TemplateType.LETTER:  # a letter's pages are counted on printing
        return problem
    if rules.template_type == TemplateType.SMS:
        character_count = render_sms(rules.template_content, personalisation).character_count
        return sms_too_long_message(character_count) if is_sms_too_long(character_count) else None
    byte_count = email_body_byte_count(fill_email_body(rules.template_content, personalisation))
    return email_too_long_message(byte_count) if is_email_too_long(byte_count) else None


def _with_values(recipient: PreparedRow, values: list[str]) -> PreparedRow:
    return replace(recipient, values=values)
