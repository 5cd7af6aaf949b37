"""Creating one notification on the API's hot path: a single autocommitted INSERT, outside the session."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.clock import utc_now
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
