"""The environment that wires Herald's processes and the provider simulator to each other on one machine."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

# The topic the simulator's SNS messages come from (its default), the only one Herald then hears.
SIMULATOR_SNS_TOPIC_ARN = "arn:aws:sns:eu-west-2:000000000000:herald-simulator-ses-events"


def simulator_wiring(*, api_url: str, simulator_port: int | str) -> dict[str, str]:
    """Environment that sends Herald's MMG, Firetext, SES and print calls to the simulator on ``simulator_port``
    (trusting its SNS certificate and topic alone) and the simulator's receipts to the API at ``api_url``, with receipt
    credentials made up for this run, so that even a development stack takes receipts from the simulator only."""
    simulator_url = f"http://127.0.0.1:{simulator_port}"
    receipt_password = secrets.token_urlsafe(24)
    return {
        "API_HOST_NAME": api_url,
        "MMG_URL": f"{simulator_url}/mmg",
        "FIRETEXT_URL": f"{simulator_url}/firetext",
        "SES_ENDPOINT_URL": f"{simulator_url}/ses",
        "DVLA_API_BASE_URL": f"{simulator_url}/dvla",
        # Letters go to print within seconds of their PDF, not at the 17:30 London deadline (development only).
        "LETTERS_PRINT_RUN_INTERVAL_SECONDS": "5",
        "AWS_ACCESS_KEY_ID": "simulator",
        "AWS_SECRET_ACCESS_KEY": "simulator",
        "SNS_TRUSTED_CERT_URL_PREFIXES": f"{simulator_url}/",
        "SNS_TOPIC_ARNS": SIMULATOR_SNS_TOPIC_ARN,
        "SIMULATOR_SNS_TOPIC_ARN": SIMULATOR_SNS_TOPIC_ARN,
        "RECEIPT_BASIC_AUTH_USERNAME": "simulator",
        "RECEIPT_BASIC_AUTH_PASSWORD": receipt_password,
        "SIMULATOR_RECEIPT_USERNAME": "simulator",
        "SIMULATOR_RECEIPT_PASSWORD": receipt_password,
        "SIMULATOR_PORT": str(simulator_port),
        "SIMULATOR_HERALD_URL": api_url,
    }


def stack_environment(
    *,
    database_url: str,
    redis_url: str,
    api_port: int | str,
    simulator_port: int | str,
    base: Mapping[str, str],
    settings: Mapping[str, str],
) -> dict[str, str]:
    """Every process's environment: ``base``, then a development Herald wired to the simulator, then ``settings``
    (which may override the wiring), then the database, Redis and API port, which nothing overrides."""
    return {
        **base,
        "NOTIFY_ENVIRONMENT": "development",
        **simulator_wiring(api_url=f"http://127.0.0.1:{api_port}", simulator_port=simulator_port),
        "PYTHONUNBUFFERED": "1",
        **settings,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORT": str(api_port),
    }
