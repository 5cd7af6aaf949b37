"""Creating one notification on the API's hot path: a single autocommitted INSERT, outside the session, stored
exactly once even when its connection dies under it."""

from __future__ import annotations

import uuid
from typing import Any
from unittest.mock import patch

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.clock import utc_now
from app.dao import notifications_dao
from app.dao.notifications_dao import dao_create_notification_autocommit, dao_get_notification_by_id
from app.extensions import db
from app.models import Notification
from tests.factories import create_template


def new_notification() -> Notification:
    template = create_template()
    notification = Notification(
        id=uuid.uuid4(),
        to="07700 900123",
        normalised_to="447700900123",
        service_id=template.service_id,
        template_id=template.id,
        template_version=template.version,
        key_type="normal",
        billable_units=0,
        notification_type="sms",
        created_at=utc_now(),
        status="created",
        international=False,
        client_reference="ref",
        reply_to_text="HERALD",
    )
    notification.personalisation = {"name": "Jo"}
    return notification


def test_every_column_set_on_the_notification_is_stored(notify_db_session: None) -> None:
    notification = new_notification()

    dao_create_notification_autocommit(notification)

    stored = dao_get_notification_by_id(notification.id)
    assert (stored.to, stored.status, stored.client_reference, stored.reply_to_text, stored.personalisation) == (
        "07700 900123",
        "created",
        "ref",
        "HERALD",
        {"name": "Jo"},
    )


def test_the_insert_is_committed_without_the_session(notify_db_session: None) -> None:
    notification = new_notification()
    db.session.commit()

    dao_create_notification_autocommit(notification)

    assert (db.session().in_transaction(), notification in db.session) == (False, False)
    with db.engine.connect() as connection:
        stored_ids = connection.execute(select(Notification.id)).scalars().all()
    assert stored_ids == [notification.id]


def _kill_every_other_connection_to_this_database() -> None:
    """Terminate the server side of every pooled connection, as a database restart would."""
    db.session.remove()
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _stored_ids() -> list[uuid.UUID]:
    with db.engine.connect() as connection:
        return connection.execute(select(Notification.id)).scalars().all()


def test_an_insert_whose_pooled_connection_the_server_killed_is_stored_once(notify_db_session: None) -> None:
    notification = new_notification()
    db.session.commit()
    with db.engine.connect() as warm:  # a pooled connection the INSERT will be handed
        warm.execute(select(1))
    _kill_every_other_connection_to_this_database()

    try:
        dao_create_notification_autocommit(notification)

        assert _stored_ids() == [notification.id]
    finally:
        db.engine.dispose()


@pytest.mark.parametrize("committed_before_the_connection_died", [True, False], ids=["committed", "not-committed"])
def test_an_insert_whose_connection_died_under_it_is_stored_exactly_once(
    notify_db_session: None, committed_before_the_connection_died: bool
) -> None:
    notification = new_notification()
    db.session.commit()
    real_insert = notifications_dao._insert_autocommitted
    attempts: list[int] = []

    def insert_then_lose_the_connection(values: dict[str, Any]) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            if committed_before_the_connection_died:
                real_insert(values)
            raise OperationalError("INSERT", {}, Exception("server closed the connection"), connection_invalidated=True)
        real_insert(values)

    with patch.object(notifications_dao, "_insert_autocommitted", insert_then_lose_the_connection):
        dao_create_notification_autocommit(notification)

    assert (len(attempts), _stored_ids()) == (2, [notification.id])


def test_a_duplicate_id_on_a_healthy_connection_is_still_an_error(notify_db_session: None) -> None:
    notification = new_notification()
    dao_create_notification_autocommit(notification)

    with pytest.raises(IntegrityError):
        dao_create_notification_autocommit(notification)
