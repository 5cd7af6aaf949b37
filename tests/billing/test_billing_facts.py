"""ft_billing is built per UK day from both notification tables, counts what reached a provider once, and a
rebuild replaces the day."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest.mock import MagicMock

import pytest
from flask import Flask
from sqlalchemy import select

from app.billing.facts import MissingRateError, build_ft_billing_for_day, build_nightly_ft_billing
from app.dao.notification_history_dao import dao_move_notifications_to_history
from app.delivery.claims import claim_notification_for_sending, record_provider_answer, release_claim
from app.extensions import db
from app.models import FactBilling, Notification, NotificationHistory
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status_by_receipt
from tests.billing.billed import create_letter, create_letter_template, create_standard_rates
from tests.factories import create_notification, create_rate, create_service, create_template

DAY = date(2024, 5, 10)
NOON = datetime(2024, 5, 10, 11, 0, tzinfo=UTC)  # 12:00 in London (BST)

BILLED_STATUSES = ["sending", "sent", "delivered", "pending", "temporary-failure", "permanent-failure"]


def facts(day: date = DAY) -> list[FactBilling]:
    db.session.expire_all()
    query = select(FactBilling).where(FactBilling.bst_date == day)
    return list(db.session.execute(query.order_by(FactBilling.notification_type, FactBilling.rate)).scalars())


def totals(rows: list[FactBilling]) -> tuple[int, int]:
    return sum(row.notifications_sent for row in rows), sum(row.billable_units for row in rows)


@pytest.fixture(autouse=True)
def rates(notify_db_session: None) -> None:
    create_standard_rates()


def test_sms_facts_match_a_hand_count_of_fragments_over_every_billed_status() -> None:
    template = create_template()
    for fragments, status in zip([1, 2, 3, 1, 2, 3], BILLED_STATUSES, strict=True):
        create_notification(template=template, status=status, billable_units=fragments, sent_by="mmg", created_at=NOON)

    build_ft_billing_for_day(DAY)

    [row] = facts()
    assert (row.notifications_sent, row.billable_units) == (6, 12)
    assert (row.notification_type, row.provider, row.rate, row.rate_multiplier) == ("sms", "mmg", Decimal("0.0227"), 1)


@pytest.mark.parametrize(
    ("status", "key_type"),
    [("created", "normal"), ("technical-failure", "normal"), ("delivered", "test")],
    ids=["never-sent", "technical-failure", "test-key"],
)
def test_what_never_reached_a_provider_and_test_key_sends_are_free(status: str, key_type: str) -> None:
    create_notification(status=status, key_type=key_type, billable_units=2, sent_by="mmg", created_at=NOON)

    build_ft_billing_for_day(DAY)

    assert facts() == []


def test_international_sms_are_a_fact_of_their_own_with_their_rate_multiplier() -> None:
    template = create_template()
    create_notification(template=template, status="delivered", billable_units=2, sent_by="mmg", created_at=NOON)
    create_notification(
        template=template, to="+79123456789", status="sent", billable_units=2, sent_by="mmg", created_at=NOON
    )

    build_ft_billing_for_day(DAY)

    assert [(row.international, row.rate_multiplier, row.billable_units) for row in facts()] == [
        (False, 1, 2),
        (True, 10, 2),
    ]


def test_a_retried_notification_with_repeated_receipts_is_billed_once_to_the_provider_that_took_it(
    send_task: MagicMock,
) -> None:
    notification = create_notification(status="created", created_at=NOON)
    first_try = claim_notification_for_sending(notification.id, provider="mmg", billable_units=3)
    assert first_try is not None
    assert release_claim(first_try)
    second_try = claim_notification_for_sending(notification.id, provider="firetext", billable_units=3)
    assert second_try is not None
    record_provider_answer(second_try, reference="ref-1")
    log = ChangeLog("receipt")
    change_status_by_receipt(
        notification.id, NotificationStatus.DELIVERED, current="sending", provider="firetext", log=log
    )
    change_status_by_receipt(
        notification.id, NotificationStatus.DELIVERED, current="sending", provider="firetext", log=log
    )

    build_ft_billing_for_day(DAY)

    assert [(row.provider, row.notifications_sent, row.billable_units) for row in facts()] == [("firetext", 1, 3)]


def test_emails_count_one_unit_each_at_the_email_rate() -> None:
    template = create_template(template_type="email")
    for status in ("sending", "delivered", "permanent-failure", "technical-failure"):
        create_notification(template=template, status=status, sent_by="ses", created_at=NOON)

    build_ft_billing_for_day(DAY)

    [row] = facts()
    assert (row.notification_type, row.notifications_sent, row.billable_units, row.rate) == ("email", 3, 3, Decimal(0))


def test_letters_are_priced_by_their_sheets_and_postage() -> None:
    template = create_letter_template()
    create_letter(template=template, sheets=1, postage="second", sent_by="dvla", created_at=NOON)
    create_letter(template=template, sheets=3, postage="second", status="sending", sent_by="dvla", created_at=NOON)
    create_letter(template=template, sheets=3, postage="second", sent_by="dvla", created_at=NOON)
    create_letter(template=template, sheets=1, postage="first", sent_by="dvla", created_at=NOON)
    create_letter(template=template, sheets=2, postage="second", status="technical-failure", created_at=NOON)
    create_letter(template=template, sheets=2, postage="second", status="created", created_at=NOON)

    build_ft_billing_for_day(DAY)

    assert [(row.postage, row.rate, row.notifications_sent, row.billable_units) for row in facts()] == [
        ("second", Decimal("0.5000"), 1, 1),
        ("second", Decimal("0.7000"), 2, 6),
        ("first", Decimal("0.8000"), 1, 1),
    ]


def test_moving_notifications_to_history_leaves_the_facts_as_they_were() -> None:
    service = create_service()
    template = create_template(service=service)
    for fragments in (1, 2, 3):
        create_notification(template=template, status="delivered", billable_units=fragments, created_at=NOON)
    build_ft_billing_for_day(DAY)
    before = [(row.notifications_sent, row.billable_units) for row in facts()]

    dao_move_notifications_to_history(service.id, created_before=NOON + timedelta(days=1), limit=100)
    build_ft_billing_for_day(DAY)

    assert db.session.execute(select(Notification)).first() is None
    assert len(db.session.execute(select(NotificationHistory)).all()) == 3
    assert [(row.notifications_sent, row.billable_units) for row in facts()] == before == [(3, 6)]


def test_rebuilding_a_day_gives_the_same_rows_and_takes_in_late_changes() -> None:
    template = create_template()
    create_notification(template=template, status="delivered", billable_units=2, created_at=NOON)
    build_ft_billing_for_day(DAY)
    first = [(row.service_id, row.notifications_sent, row.billable_units) for row in facts()]

    build_ft_billing_for_day(DAY)
    again = [(row.service_id, row.notifications_sent, row.billable_units) for row in facts()]
    create_notification(template=template, status="sending", billable_units=1, created_at=NOON)
    build_ft_billing_for_day(DAY)

    assert again == first
    assert totals(facts()) == (2, 3)


def test_concurrent_rebuilds_of_a_day_take_turns_and_leave_one_set_of_rows(notify_api: Flask) -> None:
    template = create_template()
    for fragments in (1, 2):
        create_notification(template=template, status="delivered", billable_units=fragments, created_at=NOON)

    def rebuild(_: int) -> int:
        with notify_api.app_context():
            return build_ft_billing_for_day(DAY)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(rebuild, range(8)))

    assert results == [1] * 8
    assert totals(facts()) == (2, 3)


def test_a_rebuild_leaves_other_days_alone() -> None:
    template = create_template()
    create_notification(template=template, status="delivered", billable_units=1, created_at=NOON)
    create_notification(template=template, status="delivered", billable_units=1, created_at=NOON + timedelta(days=1))
    build_ft_billing_for_day(DAY + timedelta(days=1))

    build_ft_billing_for_day(DAY)

    assert totals(facts()) == (1, 1)
    assert totals(facts(DAY + timedelta(days=1))) == (1, 1)


@pytest.mark.parametrize(
    ("created_at", "day"),
    [
        (datetime(2024, 3, 30, 23, 30, tzinfo=UTC), date(2024, 3, 30)),  # 23:30 GMT
        (datetime(2024, 3, 31, 22, 59, tzinfo=UTC), date(2024, 3, 31)),  # 23:59 BST, the 23-hour day
        (datetime(2024, 3, 31, 23, 0, tzinfo=UTC), date(2024, 4, 1)),  # midnight BST: a new financial year
        (datetime(2024, 10, 26, 23, 30, tzinfo=UTC), date(2024, 10, 27)),  # 00:30 BST
        (datetime(2024, 10, 27, 23, 30, tzinfo=UTC), date(2024, 10, 27)),  # 23:30 GMT, the 25-hour day
        (datetime(2024, 10, 28, 0, 0, tzinfo=UTC), date(2024, 10, 28)),
    ],
    ids=["before-bst-starts", "end-of-23-hour-day", "april-in-bst", "bst-morning", "end-of-25-hour-day", "gmt"],
)
def test_notifications_are_billed_on_their_uk_day_across_clock_changes(created_at: datetime, day: date) -> None:
    create_notification(status="delivered", billable_units=1, created_at=created_at)

    for candidate in (day - timedelta(days=1), day, day + timedelta(days=1)):
        build_ft_billing_for_day(candidate)

    assert [row.bst_date for row in db.session.execute(select(FactBilling)).scalars()] == [day]


def test_a_rate_change_during_the_day_prices_each_notification_at_the_rate_of_its_time() -> None:
    template = create_template()
    create_rate(valid_from=NOON, rate="0.0300")
    create_notification(template=template, status="delivered", billable_units=1, created_at=NOON - timedelta(hours=1))
    create_notification(template=template, status="delivered", billable_units=2, created_at=NOON)

    build_ft_billing_for_day(DAY)

    assert [(row.rate, row.billable_units) for row in facts()] == [(Decimal("0.0227"), 1), (Decimal("0.0300"), 2)]


def test_a_billed_letter_with_no_rate_stops_the_rebuild_of_its_day_without_changing_it() -> None:
    template = create_letter_template()
    create_letter(template=template, sheets=1, postage="second", created_at=NOON)
    build_ft_billing_for_day(DAY)
    create_letter(template=template, sheets=1, postage="europe", created_at=NOON)

    with pytest.raises(MissingRateError) as raised:
        build_ft_billing_for_day(DAY)

    assert raised.value.message == "No europe letter rate is valid on 2024-05-10"
    assert totals(facts()) == (1, 1)


def test_the_nightly_build_covers_yesterday_and_the_day_before_in_uk_days() -> None:
    template = create_template()
    for days_ago in (1, 2, 3):
        create_notification(
            template=template, status="delivered", billable_units=1, created_at=NOON - timedelta(days=days_ago)
        )

    built = build_nightly_ft_billing(datetime(2024, 5, 9, 23, 30, tzinfo=UTC))  # 00:30 on 10 May in London

    assert built == [date(2024, 5, 8), date(2024, 5, 9)]
    assert [
        row.bst_date for row in db.session.execute(select(FactBilling).order_by(FactBilling.bst_date)).scalars()
    ] == [
        date(2024, 5, 8),
        date(2024, 5, 9),
    ]
