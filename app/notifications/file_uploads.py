"""Check a "send a file by email" personalisation value against GOV.UK Notify's rules, with Notify's messages.

The official clients' `prepare_upload` sends `{"file": <base64>, "filename": ..., "confirm_email_before_download":
..., "retention_period": ...}`. The file is at most 2 MB once decoded, of a supported type (from the filename's
extension, or from the content when there is no filename); the filename at most 100 characters with an extension;
`confirm_email_before_download` true or false; `retention_period` `"<n> weeks"` with n from 1 to 78. Sizes are
checked before decoding, so a huge value costs no more than its length.

A valid file is parsed once into a `ParsedFile` (its bytes, the download's name and type, whether the recipient
must confirm their address, how long it is kept), which `app/documents/uploads.py` seals and stores. A service
sends files only once it has a contact link (`check_service_can_send_files`, with Notify's message).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.errors import BadRequestError

MAX_FILE_BYTES = 2 * 1024 * 1024  # "Your file must be smaller than 2MB" (the clients refuse more than 2 MiB)
# Base64 takes 4 characters for every 3 bytes; allow line breaks every 76 characters (MIME) as well.
MAX_ENCODED_LENGTH = math.ceil(MAX_FILE_BYTES / 3) * 4 * 78 // 76 + 2
MAX_FILENAME_LENGTH = 100
MIN_RETENTION_WEEKS = 1
MAX_RETENTION_WEEKS = 78
DEFAULT_RETENTION_WEEKS = 26  # Notify's default since April 2023
SUPPORTED_EXTENSIONS = ("csv", "doc", "docx", "jpeg", "jpg", "json", "odt", "pdf", "png", "rtf", "txt", "xlsx")
MAX_SHOWN_VALUE_LENGTH = 100  # a refused value is quoted back, cut to this length

FILE_KEY = "file"
FILE_TOO_LARGE = "File is larger than 2MB"
NOT_BASE64 = "File is not base64 encoded"
FILENAME_TOO_LONG = "`filename` cannot be longer than 100 characters"
FILENAME_WITHOUT_EXTENSION = "`filename` must end with a file extension. For example, filename.csv"
FILE_ONLY_BY_EMAIL = "Can only send a file by email"

_RETENTION_PERIOD = re.compile(r"([0-9]{1,3}) weeks?")
# Leading bytes of the binary types; anything else must be UTF-8 text (csv, json, txt).
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "docx"),  # a zip: docx, xlsx and odt are all zips
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),
    (b"{\\rtf", "rtf"),
)
MIMETYPES = {
    "csv": "text/csv",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "json": "application/json",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "png": "image/png",
    "rtf": "application/rtf",
    "txt": "text/plain",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ParsedFile:
    """A file value that keeps every rule: what is sealed and stored, and how its download is offered."""

    content: bytes = field(repr=False)
    filename: str | None  # as the client named it; None when it gave no name
    extension: str  # lower case, from the filename or (without one) from the content
    is_email_confirmation_required: bool
    retention_weeks: int

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.extension]

    @property
    def download_name(self) -> str:
        return self.filename if self.filename is not None else f"file.{self.extension}"


def is_file_value(value: Any) -> bool:
    """Whether a personalisation value asks to send a file: an object with a `file` key."""
    return isinstance(value, Mapping) and FILE_KEY in value


def parse_file_value(value: Mapping[str, Any]) -> ParsedFile:
    """Raise BadRequestError with Notify's message for the first rule the file value breaks; else parse it.

    Unset options (absent or null, as `prepare_upload` sends them) take Notify's defaults: the recipient confirms
    their address, the file is kept 26 weeks. `is_csv` (older clients) makes a file without a name a CSV file.
    """
    content = _decoded_file(value[FILE_KEY])
    filename = value.get("filename")
    is_csv = _checked_flag("is_csv", value.get("is_csv"))
    if filename is not None:
        extension = _checked_filename_extension(filename)
    else:
        extension = "csv" if is_csv else _extension_from_content(content)
    confirm = _checked_flag("confirm_email_before_download", value.get("confirm_email_before_download"))
    return ParsedFile(
        content=content,
        filename=filename,
        extension=extension,
        is_email_confirmation_required=True if confirm is None else confirm,
        retention_weeks=_checked_retention_weeks(value.get("retention_period")),
    )


def check_service_can_send_files(service_id: uuid.UUID, contact_link: str | None, admin_base_url: str) -> None:
    """Refuse as Notify does when the service has no contact link for the recipients of its files."""
    if contact_link:
        return
    raise BadRequestError(
        "Send files by email has not been set up - add contact details for your service at "
        f"{admin_base_url}/services/{service_id}/service-settings/send-files-by-email"
    )


def unsupported_file_type_message(file_type: str) -> str:
    supported = ", ".join(f".{extension}" for extension in SUPPORTED_EXTENSIONS)
    return f"Unsupported file type '{_shown(file_type)}'. Supported types are: '{supported}'"


def _decoded_file(encoded: Any) -> bytes:
    if not isinstance(encoded, str):
        raise BadRequestError(NOT_BASE64)
    if len(encoded) > MAX_ENCODED_LENGTH:
        raise BadRequestError(FILE_TOO_LARGE)
    try:
        content = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadRequestError(NOT_BASE64) from error
    if len(content) > MAX_FILE_BYTES:
        raise BadRequestError(FILE_TOO_LARGE)
    return content


def _checked_filename_extension(filename: Any) -> str:
    if not isinstance(filename, str) or not filename.strip():
        raise BadRequestError(FILENAME_WITHOUT_EXTENSION)
    if len(filename) > MAX_FILENAME_LENGTH:
        raise BadRequestError(FILENAME_TOO_LONG)
    stem, dot, extension = filename.rpartition(".")
    if not dot or not stem or not extension:
        raise BadRequestError(FILENAME_WITHOUT_EXTENSION)
    if extension.lower() not in SUPPORTED_EXTENSIONS:
        raise BadRequestError(unsupported_file_type_message(f".{extension}"))
    return extension.lower()


def _extension_from_content(content: bytes) -> str:
    """Without a filename Notify works out the type from the content; text must be UTF-8."""
    for signature, extension in _SIGNATURES:
        if content.startswith(signature):
            return extension
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequestError(unsupported_file_type_message("application/octet-stream")) from error
    return "txt"


def _checked_flag(name: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise BadRequestError(f"Unsupported value for {name}: '{_shown(value)}'. Use a boolean true or false value.")
    return value


def _checked_retention_weeks(value: Any) -> int:
    if value is None:
        return DEFAULT_RETENTION_WEEKS
    match = _RETENTION_PERIOD.fullmatch(value) if isinstance(value, str) else None
    if match is None or not MIN_RETENTION_WEEKS <= int(match.group(1)) <= MAX_RETENTION_WEEKS:
        raise BadRequestError(
            f"Unsupported value for retention_period '{_shown(value)}'. "
            f"Supported periods are from {MIN_RETENTION_WEEKS} to {MAX_RETENTION_WEEKS} weeks."
        )
    return int(match.group(1))


def _shown(value: Any) -> str:
    """A value quoted back in a message: JSON's words for true, false and null, and never more than 100 characters."""
    words = {True: "true", False: "false", None: "null"}
    text = words[value] if value is None or isinstance(value, bool) else str(value)
    return text if len(text) <= MAX_SHOWN_VALUE_LENGTH else text[:MAX_SHOWN_VALUE_LENGTH] + "…"
