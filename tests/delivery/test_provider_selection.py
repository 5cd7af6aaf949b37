"""Provider choice: SMS split at random by weight, international only where supported, failover off the last one."""

from __future__ import annotations

from collections import Counter

import pytest

from app.dao.provider_details_dao import dao_get_provider_details_by_identifier, dao_update_provider_details
from app.delivery.errors import NoActiveProviderError
from app.delivery.provider_selection import choose_email_provider, choose_sms_provider


def _update(identifier: str, **changes: object) -> None:
    dao_update_provider_details(dao_get_provider_details_by_identifier(identifier), reason="test", **changes)


def test_sms_is_split_between_providers_by_their_weights(notify_db_session: None) -> None:
    choices = Counter(choose_sms_provider(international=False) for _ in range(4000))

    assert choices["mmg"] / 4000 == pytest.approx(0.51, abs=0.04)


def test_a_provider_with_no_weight_is_not_chosen(notify_db_session: None) -> None:
    _update("mmg", priority=0)
    _update("firetext", priority=100)

    choices = {choose_sms_provider(international=False) for _ in range(200)}

    assert choices == {"firetext"}


def test_international_sms_goes_only_to_providers_that_support_it(notify_db_session: None) -> None:
    choices = {choose_sms_provider(international=True) for _ in range(200)}

    assert choices == {"mmg"}


def test_the_provider_that_just_failed_is_avoided(notify_db_session: None) -> None:
    choices = {choose_sms_provider(international=False, excluded="mmg") for _ in range(200)}

    assert choices == {"firetext"}


def test_failover_goes_to_the_other_provider_even_when_its_weight_is_spent(notify_db_session: None) -> None:
    _update("firetext", priority=0)

    chosen = choose_sms_provider(international=False, excluded="mmg")

    assert chosen == "firetext"


def test_the_failed_provider_is_used_again_when_it_is_the_only_one(notify_db_session: None) -> None:
    chosen = choose_sms_provider(international=True, excluded="mmg")

    assert chosen == "mmg"


def test_an_inactive_provider_is_never_chosen(notify_db_session: None) -> None:
    _update("firetext", active=False)

    choices = {choose_sms_provider(international=False, excluded="mmg") for _ in range(50)}

    assert choices == {"mmg"}


def test_no_active_provider_is_an_error_worth_retrying(notify_db_session: None) -> None:
    _update("ses", active=False)

    with pytest.raises(NoActiveProviderError) as raised:
        choose_email_provider()

    assert (str(raised.value), raised.value.failed_provider) == ("No active email provider", None)


def test_email_goes_to_ses(notify_db_session: None) -> None:
    chosen = choose_email_provider()

    assert chosen == "ses"
