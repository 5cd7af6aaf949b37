"""The client-schema helper itself: it accepts what the clients accept and rejects what they reject."""

import jsonschema
import pytest

from tests.contract import validate_against_client_schema


def test_a_body_that_matches_the_client_schema_passes() -> None:
    validate_against_client_schema({"templates": []}, "templates_schemas.get_all_template_response")


def test_a_body_that_breaks_the_client_schema_raises() -> None:
    with pytest.raises(jsonschema.ValidationError) as raised:
        validate_against_client_schema(
            {"templates": [{"id": "not-a-uuid"}]}, "templates_schemas.get_all_template_response.json"
        )

    assert "does not match" in raised.value.message


def test_the_received_texts_schema_refuses_extra_keys() -> None:
    body = {"received_text_messages": [], "links": {"current": "http://h/v2/received-text-messages"}, "extra": 1}

    with pytest.raises(jsonschema.ValidationError):
        validate_against_client_schema(body, "inbound_sms_schemas.get_inbound_sms_response")
