"""Looking up the template a send uses: a snapshot of the latest version, briefly cached."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from app.dao.templates_dao import dao_update_template
from app.errors import BadRequestError
from app.notifications.templates_for_sending import get_template_for_sending
from tests.factories import create_service, create_template


def test_the_latest_version_is_used(notify_db_session: None) -> None:
    template = create_template(content="First")
    dao_update_template(template, content="Second")

    sendable = get_template_for_sending(template.service_id, template.id)

    assert (sendable.version, sendable.content) == (2, "Second")


def test_another_services_template_is_not_found(notify_db_session: None) -> None:
    template = create_template()

    with pytest.raises(BadRequestError) as refused:
        get_template_for_sending(create_service().id, template.id)

    assert refused.value.message == "Template not found"


def test_an_unknown_template_is_not_found(notify_db_session: None) -> None:
    with pytest.raises(BadRequestError) as refused:
        get_template_for_sending(create_service().id, uuid.uuid4())

    assert refused.value.message == "Template not found"


def test_a_cached_snapshot_is_used_within_the_cache_time(
    notify_api: Flask, notify_db_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "SEND_CACHE_SECONDS", 60)
    monkeypatch.delitem(notify_api.extensions, "herald_sendable_templates", raising=False)
    template = create_template(content="First")
    get_template_for_sending(template.service_id, template.id)
    dao_update_template(template, content="Second")

    sendable = get_template_for_sending(template.service_id, template.id)

    assert sendable.content == "First"


def test_an_email_templates_subject_holds_placeholders_too(notify_db_session: None) -> None:
    template = create_template(template_type="email", subject="About ((topic))", content="Dear ((name))")

    sendable = get_template_for_sending(template.service_id, template.id)

    assert sendable.texts == ("About ((topic))", "Dear ((name))")
