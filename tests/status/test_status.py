"""GET /_status reports the schema version when the database and broker answer."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_status_is_ok_with_the_database_version(client: FlaskClient) -> None:
    response = client.get("/_status")

    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["db_version"][:4].isdigit()  # "0005", or "0005_<helper>" before the lead re-chains


def test_unknown_route_is_404_in_the_v2_envelope(client: FlaskClient) -> None:
    response = client.get("/no/such/route")

    assert response.status_code == 404
    assert response.get_json() == {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "Not Found"}]}
