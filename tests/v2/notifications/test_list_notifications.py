"""GET /v2/notifications: filters, key-type isolation, newest-first pages and the links the clients follow."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask.testing import FlaskClient

from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.notification_status import NotificationStatus
from tests.contract import validate_against_client_schema
from tests.factories import create_notification, create_notifications, create_template
from tests.v2.read_api import create_service_with_key, get_as

START = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
STATUS_VALUES = (
    "cancelled, created, sending, sent, delivered, pending, failed, technical-failure, temporary-failure, "
    "permanent-failure, pending-virus-check, validation-failed, virus-scan-failed, returned-letter, accepted, received"
)
FIRST_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def ids_of(response_json: dict) -> list[str]:
    return [notification["id"] for notification in response_json["notifications"]]


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_a_page_matches_the_client_schema_and_every_item_the_single_schema(client: FlaskClient) -> None:
    caller = create_service_with_key()
    create_notification(template=create_template(service=caller.service))
    create_notification(template=create_template(service=caller.service, template_type="email"))

    response = get_as(client, caller.api_key, "/v2/notifications")

    assert response.status_code == 200
    validate_against_client_schema(response.json, "notification_schemas.get_notifications_response")
    for notification in response.json["notifications"]:
        validate_against_client_schema(notification, "notification_schemas.get_notification_response")


def test_notifications_come_newest_first(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    older = create_notification(template=template, created_at=START)
    newer = create_notification(template=template, created_at=START + timedelta(minutes=1))

    response = get_as(client, caller.api_key, "/v2/notifications")

    assert ids_of(response.json) == [str(newer.id), str(older.id)]


@pytest.mark.parametrize("key_type", ["normal", "team", "test"])
def test_a_key_sees_only_notifications_sent_with_keys_of_its_own_type(client: FlaskClient, key_type: str) -> None:
    caller = create_service_with_key(key_type=key_type)
    template = create_template(service=caller.service)
    own = create_notification(template=template, key_type=key_type)
    for other_type in {"normal", "team", "test"} - {key_type}:
        create_notification(template=template, key_type=other_type)

    response = get_as(client, caller.api_key, "/v2/notifications")

    assert ids_of(response.json) == [str(own.id)]


def test_notifications_of_other_services_are_never_listed(client: FlaskClient) -> None:
    caller = create_service_with_key()
    create_notification()

    response = get_as(client, caller.api_key, "/v2/notifications")

    assert response.json["notifications"] == []


def test_a_status_filter_matches_only_that_status(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    created = create_notification(template=template, status="created")
    create_notification(template=template, status="delivered")

    response = get_as(client, caller.api_key, "/v2/notifications?status=created")

    assert ids_of(response.json) == [str(created.id)]


def test_status_may_repeat(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    created = create_notification(template=template, status="created", created_at=START)
    delivered = create_notification(template=template, status="delivered", created_at=START + timedelta(seconds=1))
    create_notification(template=template, status="sending")

    response = get_as(client, caller.api_key, "/v2/notifications?status=created&status=delivered")

    assert ids_of(response.json) == [str(delivered.id), str(created.id)]


def test_failed_stands_for_every_failure_status(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    failures = []
    for offset, status in enumerate(
        [
            NotificationStatus.PERMANENT_FAILURE,
            NotificationStatus.TEMPORARY_FAILURE,
            NotificationStatus.TECHNICAL_FAILURE,
        ]
    ):
        notification = create_notification(
            template=template, status="sending", created_at=START - timedelta(seconds=offset)
        )
        dao_update_notification_status_by_id(notification.id, status)
        failures.append(str(notification.id))
    create_notification(template=template, status="delivered")

    response = get_as(client, caller.api_key, "/v2/notifications?status=failed")

    assert ids_of(response.json) == failures


def test_template_type_filters_and_may_repeat(client: FlaskClient) -> None:
    caller = create_service_with_key()
    sms = create_notification(template=create_template(service=caller.service), created_at=START)
    email = create_notification(
        template=create_template(service=caller.service, template_type="email"), created_at=START + timedelta(seconds=1)
    )

    only_email = get_as(client, caller.api_key, "/v2/notifications?template_type=email")
    both = get_as(client, caller.api_key, "/v2/notifications?template_type=email&template_type=sms")

    assert ids_of(only_email.json) == [str(email.id)]
    assert ids_of(both.json) == [str(email.id), str(sms.id)]


def test_reference_matches_the_client_reference_exactly(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    wanted = create_notification(template=template, client_reference="order 42")
    create_notification(template=template, client_reference="order 421")

    response = get_as(client, caller.api_key, "/v2/notifications?reference=order+42")

    assert ids_of(response.json) == [str(wanted.id)]


@pytest.mark.parametrize("include_jobs", ["true", "True"])
def test_notifications_from_jobs_are_listed_only_when_asked_for(client: FlaskClient, include_jobs: str) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    one_off = create_notification(template=template, created_at=START)
    from_job = create_notification(
        template=template, job_id=uuid.uuid4(), job_row_number=0, created_at=START + timedelta(seconds=1)
    )

    default = get_as(client, caller.api_key, "/v2/notifications")
    with_jobs = get_as(client, caller.api_key, f"/v2/notifications?include_jobs={include_jobs}")

    assert ids_of(default.json) == [str(one_off.id)]
    assert ids_of(with_jobs.json) == [str(from_job.id), str(one_off.id)]


def test_older_than_returns_only_notifications_created_before_it(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notifications = create_notifications(template=create_template(service=caller.service), count=3)

    response = get_as(client, caller.api_key, f"/v2/notifications?older_than={notifications[0].id}")

    assert ids_of(response.json) == [str(notifications[1].id), str(notifications[2].id)]


def test_older_than_breaks_ties_on_created_at_by_id(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    same_time = [create_notification(template=template, created_at=START) for _ in range(4)]
    expected = sorted((str(notification.id) for notification in same_time), reverse=True)

    first = get_as(client, caller.api_key, "/v2/notifications")
    after_second = get_as(client, caller.api_key, f"/v2/notifications?older_than={expected[1]}")

    assert ids_of(first.json) == expected
    assert ids_of(after_second.json) == expected[2:]


def test_an_unknown_older_than_gives_an_empty_page(client: FlaskClient) -> None:
    caller = create_service_with_key()
    create_notification(template=create_template(service=caller.service))

    response = get_as(client, caller.api_key, f"/v2/notifications?older_than={uuid.uuid4()}")

    assert response.status_code == 200
    assert response.json["notifications"] == []
    assert "next" not in response.json["links"]


def test_a_page_holds_250_notifications_and_links_to_the_next(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notifications = create_notifications(template=create_template(service=caller.service), count=260)

    first = get_as(client, caller.api_key, "/v2/notifications")
    second = get_as(client, caller.api_key, first.json["links"]["next"])

    assert ids_of(first.json) == [str(notification.id) for notification in notifications[:250]]
    assert ids_of(second.json) == [str(notification.id) for notification in notifications[250:]]


def test_next_repeats_the_filters_with_the_last_id_as_the_cursor(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notifications = create_notifications(template=create_template(service=caller.service), count=2)
    url = "/v2/notifications?status=delivered&status=failed&template_type=sms&include_jobs=true"

    response = get_as(client, caller.api_key, url)

    assert query_of(response.json["links"]["next"]) == [
        ("older_than", str(notifications[1].id)),
        ("status", "delivered"),
        ("status", "failed"),
        ("template_type", "sms"),
        ("include_jobs", "true"),
    ]


def test_the_cursor_is_the_first_uuid_in_next_even_when_the_reference_is_a_uuid(client: FlaskClient) -> None:
    caller = create_service_with_key()
    reference = str(uuid.uuid4())
    template = create_template(service=caller.service)
    notification = create_notification(template=template, client_reference=reference)

    response = get_as(client, caller.api_key, f"/v2/notifications?reference={reference}")

    assert FIRST_UUID.search(response.json["links"]["next"]).group(0) == str(notification.id)
    assert ("reference", reference) in query_of(response.json["links"]["next"])


def test_current_repeats_the_request_s_filters(client: FlaskClient) -> None:
    caller = create_service_with_key()
    cursor = create_notifications(template=create_template(service=caller.service), count=1)[0].id

    response = get_as(client, caller.api_key, f"/v2/notifications?template_type=sms&older_than={cursor}")

    assert urlsplit(response.json["links"]["current"]).path == "/v2/notifications"
    assert query_of(response.json["links"]["current"]) == [("template_type", "sms"), ("older_than", str(cursor))]


def test_an_empty_page_has_no_next_link(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/notifications")

    assert response.json == {"notifications": [], "links": {"current": "http://localhost/v2/notifications"}}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=elephant", f"status elephant is not one of [{STATUS_VALUES}]"),
        ("template_type=orange", "template_type orange is not one of [sms, email, letter]"),
        ("older_than=nope", "older_than is not a valid UUID"),
        ("include_jobs=yes", "include_jobs yes is not one of [true, True]"),
        ("elephant=1", "Additional properties are not allowed (elephant was unexpected)"),
    ],
    ids=["bad-status", "bad-template-type", "bad-older-than", "bad-include-jobs", "unknown-parameter"],
)
def test_bad_query_parameters_are_refused_with_notify_s_message(client: FlaskClient, query: str, message: str) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, f"/v2/notifications?{query}")

    assert response.status_code == 400
    assert response.json == {"status_code": 400, "errors": [{"error": "ValidationError", "message": message}]}


def test_every_bad_parameter_is_reported(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/notifications?status=elephant&template_type=orange")

    assert [error["message"] for error in response.json["errors"]] == [
        f"status elephant is not one of [{STATUS_VALUES}]",
        "template_type orange is not one of [sms, email, letter]",
    ]


def test_a_reference_with_a_nul_character_matches_nothing(client: FlaskClient) -> None:
    caller = create_service_with_key()
    create_notification(template=create_template(service=caller.service), client_reference="abc")

    response = get_as(client, caller.api_key, "/v2/notifications?reference=abc%00")

    assert response.status_code == 200
    assert response.json["notifications"] == []
    assert "next" not in response.json["links"]
