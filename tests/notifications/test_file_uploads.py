"""The send-a-file rules on a personalisation value (the API answers are in tests/v2)."""

from __future__ import annotations

import base64
import uuid

import pytest

from app.errors import BadRequestError
from app.notifications.file_uploads import (
    DEFAULT_RETENTION_WEEKS,
    MAX_ENCODED_LENGTH,
    MIMETYPES,
    check_service_can_send_files,
    parse_file_value,
)


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.mark.parametrize(
    "value",
    [
        {"file": encoded(b"%PDF-1.7")},
        {"file": encoded(b"name,age\nJo,7\n")},
        {"file": encoded(b"PK\x03\x04zip")},
        {"file": encoded(b"x"), "filename": "Report.Final.DOCX"},
        {"file": encoded(b"x"), "retention_period": "1 week"},
        {"file": encoded(b"x"), "retention_period": "78 weeks", "confirm_email_before_download": False},
        {"file": encoded(b"x" * 2 * 1024 * 1024)},
        {"file": "\n".join(encoded(b"line-wrapped " * 20)[i : i + 76] for i in range(0, 360, 76))},
    ],
    ids=["pdf", "csv", "zip", "extension-case", "one-week", "78-weeks", "exactly-2MB", "mime-line-breaks"],
)
def test_a_file_keeping_the_rules_passes(value):
    parsed = parse_file_value(value)

    assert parsed.content == base64.b64decode("".join(value["file"].split()))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"file": encoded(b"\xff\xfe\x00binary")}, "Unsupported file type 'application/octet-stream'."),
        ({"file": 5}, "File is not base64 encoded"),
        ({"file": "a" * (MAX_ENCODED_LENGTH + 1)}, "File is larger than 2MB"),
        ({"file": encoded(b"x"), "filename": ".pdf"}, "`filename` must end with a file extension."),
        ({"file": encoded(b"x"), "filename": ["a.pdf"]}, "`filename` must end with a file extension."),
        ({"file": encoded(b"x"), "retention_period": "0 weeks"}, "Unsupported value for retention_period '0 weeks'."),
        ({"file": encoded(b"x"), "retention_period": 4}, "Unsupported value for retention_period '4'."),
        (
            {"file": encoded(b"x"), "retention_period": "4 weeks\n"},
            "Unsupported value for retention_period '4 weeks\n'.",
        ),
        ({"file": encoded(b"x"), "confirm_email_before_download": 1}, "confirm_email_before_download: '1'."),
        ({"file": encoded(b"x"), "confirm_email_before_download": "a" * 500}, "'" + "a" * 100 + "…'."),
    ],
    ids=["binary", "not-text", "too-long-encoded", "no-stem", "list", "zero", "number", "newline", "1", "long"],
)
def test_a_file_breaking_a_rule_is_refused(value, message):
    with pytest.raises(BadRequestError) as raised:
        parse_file_value(value)

    assert message in raised.value.message


def test_the_not_set_up_refusal_names_the_service_settings_page():
    service_id = uuid.uuid4()

    with pytest.raises(BadRequestError) as raised:
        check_service_can_send_files(service_id, None, "https://admin.example")

    assert raised.value.message == (
        "Send files by email has not been set up - add contact details for your service at "
        f"https://admin.example/services/{service_id}/service-settings/send-files-by-email"
    )


def test_a_service_with_a_contact_link_can_send_files():
    check_service_can_send_files(uuid.uuid4(), "https://help.example/files", "https://admin.example")


def test_options_the_official_clients_leave_unset_take_notifys_defaults():
    value = {"file": encoded(b"%PDF-1.7"), "filename": None, "confirm_email_before_download": None}

    parsed = parse_file_value({**value, "retention_period": None})

    assert (parsed.is_email_confirmation_required, parsed.retention_weeks) == (True, DEFAULT_RETENTION_WEEKS)
    assert (parsed.extension, parsed.mimetype, parsed.download_name) == ("pdf", "application/pdf", "file.pdf")


@pytest.mark.parametrize(
    ("value", "mimetype", "download_name"),
    [
        ({"file": encoded(b"a,b\n"), "is_csv": True}, "text/csv", "file.csv"),
        ({"file": encoded(b"a,b\n"), "is_csv": False}, "text/plain", "file.txt"),
        ({"file": encoded(b"\x89PNG\r\n\x1a\nrest")}, "image/png", "file.png"),
        ({"file": encoded(b"x"), "filename": "Rates 2026.XLSX"}, MIMETYPES["xlsx"], "Rates 2026.XLSX"),
        ({"file": encoded(b"%PDF-1.7"), "filename": "notes.txt", "is_csv": True}, "text/plain", "notes.txt"),
    ],
    ids=["is-csv", "not-csv", "png-by-content", "by-extension", "filename-wins-over-is-csv"],
)
def test_the_download_type_comes_from_the_filename_else_is_csv_else_the_content(value, mimetype, download_name):
    parsed = parse_file_value(value)

    assert (parsed.mimetype, parsed.download_name) == (mimetype, download_name)


@pytest.mark.parametrize("flag", ["confirm_email_before_download", "is_csv"])
@pytest.mark.parametrize("given", ["true", 0, [], {}], ids=["text", "zero", "list", "object"])
def test_a_flag_that_is_not_a_boolean_is_refused(flag, given):
    with pytest.raises(BadRequestError) as raised:
        parse_file_value({"file": encoded(b"x"), flag: given})

    assert raised.value.message.startswith(f"Unsupported value for {flag}: '")
    assert raised.value.message.endswith("'. Use a boolean true or false value.")
