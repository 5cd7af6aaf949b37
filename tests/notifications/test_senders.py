"""Resolving who a notification is from: the chosen or default SMS sender or email reply-to address."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from app.dao.services_dao import dao_list_email_reply_tos, dao_list_sms_senders
from app.errors import BadRequestError
from app.extensions import db
from app.models import ServiceEmailReplyTo, ServiceSmsSender
from app.notifications.senders import SERVICE_SENDERS, choose_reply_to_text, reply_to_text_for
from tests.factories import create_email_reply_to, create_service, create_sms_sender


def test_the_default_sms_sender_is_used_when_none_is_chosen(notify_db_session: None) -> None:
    service = create_service()
    create_sms_sender(service=service, sms_sender="OTHER", is_default=False)
    create_sms_sender(service=service, sms_sender="DEFAULT", is_default=True)

    assert reply_to_text_for(service.id, "sms", None) == "DEFAULT"


def test_a_chosen_sms_sender_is_used(notify_db_session: None) -> None:
    service = create_service()
    create_sms_sender(service=service, sms_sender="DEFAULT", is_default=True)
    chosen = create_sms_sender(service=service, sms_sender="CHOSEN", is_default=False)

    assert reply_to_text_for(service.id, "sms", chosen.id) == "CHOSEN"


def test_a_service_without_senders_has_no_reply_to_text(notify_db_session: None) -> None:
    assert reply_to_text_for(create_service().id, "email", None) is None


def test_a_chosen_email_reply_to_is_used(notify_db_session: None) -> None:
    service = create_service()
    chosen = create_email_reply_to(service=service, email_address="help@example.com")

    assert reply_to_text_for(service.id, "email", chosen.id) == "help@example.com"


@pytest.mark.parametrize(
    ("notification_type", "field"), [("sms", "sms_sender_id"), ("email", "email_reply_to_id")], ids=["sms", "email"]
)
def test_a_sender_of_another_service_does_not_exist_for_this_one(
    notify_db_session: None, notification_type: str, field: str
) -> None:
    other_service = create_service()
    if notification_type == "sms":
        sender_id = create_sms_sender(service=other_service).id
    else:
        sender_id = create_email_reply_to(service=other_service).id
    service = create_service()

    with pytest.raises(BadRequestError) as refused:
        reply_to_text_for(service.id, notification_type, sender_id)

    assert refused.value.message == f"{field} {sender_id} does not exist in database for service id {service.id}"


def test_a_sender_created_since_the_cache_was_filled_is_found(
    notify_api: Flask, notify_db_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "SEND_CACHE_SECONDS", 60)
    monkeypatch.delitem(notify_api.extensions, SERVICE_SENDERS.name, raising=False)
    service = create_service()
    reply_to_text_for(service.id, "sms", None)
    new_sender = create_sms_sender(service=service, sms_sender="NEW", is_default=False)

    assert reply_to_text_for(service.id, "sms", new_sender.id) == "NEW"


def test_an_unknown_sender_id_is_refused(notify_db_session: None) -> None:
    service = create_service()
    sender_id = uuid.uuid4()

    with pytest.raises(BadRequestError) as refused:
        reply_to_text_for(service.id, "sms", sender_id)

    assert refused.value.message == f"sms_sender_id {sender_id} does not exist in database for service id {service.id}"


@pytest.mark.parametrize(
    ("notification_type", "expected"), [("sms", "FROM_NUMBER"), ("email", None)], ids=["sms", "email"]
)
def test_without_a_default_an_sms_falls_back_to_the_platform_sender_and_an_email_to_none(
    notify_db_session: None, notification_type: str, expected: str | None
) -> None:
    service = create_service()
    _archive(*dao_list_sms_senders(service.id), *dao_list_email_reply_tos(service.id))

    chosen = choose_reply_to_text(service.id, notification_type, None, default_sms_sender="FROM_NUMBER")

    assert chosen == expected


def test_a_chosen_sender_archived_since_gives_way_to_the_default(notify_db_session: None) -> None:
    service = create_service()
    create_sms_sender(service=service, sms_sender="DEFAULT", is_default=True)
    chosen = create_sms_sender(service=service, sms_sender="CHOSEN", is_default=False)
    _archive(chosen)

    text = choose_reply_to_text(service.id, "sms", chosen.id, default_sms_sender="FROM_NUMBER")

    assert text == "DEFAULT"


def _archive(*senders: ServiceSmsSender | ServiceEmailReplyTo) -> None:
    for sender in senders:
        sender.archived = True
    db.session.commit()
