"""The simulator's settings, from command-line flags with SIMULATOR_* environment variables as their defaults."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.simulator.behaviour import BehaviourBoard, BehaviourError

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class SimulatorSettings:
    host: str = "127.0.0.1"
    port: int = 6030
    herald_url: str = "http://127.0.0.1:6011"
    # How Herald reaches the simulator (the SNS SigningCertURL); defaults to http://<host>:<bound port>.
    public_url: str | None = None
    mmg_receipt_url: str | None = None  # defaults to <herald_url>/notifications/sms/mmg
    firetext_receipt_url: str | None = None  # defaults to <herald_url>/notifications/sms/firetext
    ses_receipt_url: str | None = None  # defaults to <herald_url>/notifications/email/ses
    receipt_basic_auth: tuple[str, str] | None = None
    mmg_api_key: str | None = None  # when set, MMG requests must carry exactly this key
    firetext_api_key: str | None = None  # when set, Firetext requests must carry exactly this apiKey
    signing_key_path: Path | None = None
    signing_cert_path: Path | None = None
    sns_topic_arn: str = "arn:aws:sns:eu-west-2:000000000000:herald-simulator-ses-events"
    sns_signature_version: str = "1"
    behaviour: Mapping[str, Any] = field(default_factory=dict)  # a /_simulator/config document
    receipt_workers: int = 16
    receipt_attempts: int = 5
    receipt_first_backoff_seconds: float = 0.5
    max_messages: int = 100_000
    log_level: str = "INFO"

    def receipt_url(self, provider: str) -> str:
        configured = {"mmg": self.mmg_receipt_url, "firetext": self.firetext_receipt_url, "ses": self.ses_receipt_url}
        paths = {"mmg": "sms/mmg", "firetext": "sms/firetext", "ses": "email/ses"}
        return configured[provider] or f"{self.herald_url.rstrip('/')}/notifications/{paths[provider]}"


def _parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    def env(name: str, default: Any = None) -> Any:
        return environ.get(f"SIMULATOR_{name}", default)

    def env_flag(name: str) -> bool:
        return str(env(name, "")).strip().lower() in TRUE_WORDS

    delay = env("RECEIPT_DELAY_MS")
    parser = argparse.ArgumentParser(
        prog="python -m app.simulator",
        description="Herald's provider simulator: MMG, Firetext and SES v2, with delivery receipts sent back.",
        epilog="Each flag defaults to the environment variable SIMULATOR_<FLAG NAME> (e.g. SIMULATOR_HERALD_URL).",
    )
    parser.add_argument("--host", default=env("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("PORT", 6030)))
    parser.add_argument("--herald-url", default=env("HERALD_URL", "http://127.0.0.1:6011"))
    parser.add_argument("--public-url", default=env("PUBLIC_URL"), help="how Herald reaches the simulator")
    for provider in ("mmg", "firetext", "ses"):
        parser.add_argument(f"--{provider}-receipt-url", default=env(f"{provider.upper()}_RECEIPT_URL"))
    parser.add_argument("--receipt-username", default=env("RECEIPT_USERNAME"), help="basic auth for receipts")
    parser.add_argument("--receipt-password", default=env("RECEIPT_PASSWORD"), help="prefer the env variable")
    parser.add_argument("--mmg-api-key", default=env("MMG_API_KEY"), help="require this MMG key")
    parser.add_argument("--firetext-api-key", default=env("FIRETEXT_API_KEY"), help="require this Firetext apiKey")
    parser.add_argument("--signing-key", type=Path, default=env("SIGNING_KEY"), help="PEM RSA key for SNS")
    parser.add_argument("--signing-cert", type=Path, default=env("SIGNING_CERT"), help="its PEM certificate")
    parser.add_argument("--sns-topic-arn", default=env("SNS_TOPIC_ARN", SimulatorSettings.sns_topic_arn))
    parser.add_argument("--sns-signature-version", choices=("1", "2"), default=env("SNS_SIGNATURE_VERSION", "1"))
    parser.add_argument("--error-rate", type=float, default=env("ERROR_RATE"), help="fraction answered 500")
    parser.add_argument("--latency-ms", type=float, default=env("LATENCY_MS"), help="added before answering")
    parser.add_argument("--outage", action="store_true", default=env_flag("OUTAGE"), help="answer 503 to all")
    parser.add_argument("--no-receipt", action="store_true", default=env_flag("NO_RECEIPT"), help="never send one")
    parser.add_argument(
        "--receipt-delay-ms",
        nargs=2,
        type=float,
        metavar=("MIN", "MAX"),
        default=[float(bound) for bound in delay.split(",")] if delay else None,
        help="uniform delay before each receipt (env: MIN,MAX); default 100 1000",
    )
    parser.add_argument(
        "--provider-config",
        default=env("PROVIDER_CONFIG"),
        help='JSON as POST /_simulator/config takes, e.g. {"mmg": {"error_rate": 0.1}}',
    )
    parser.add_argument("--receipt-workers", type=int, default=int(env("RECEIPT_WORKERS", 16)))
    parser.add_argument("--receipt-attempts", type=int, default=int(env("RECEIPT_ATTEMPTS", 5)))
    parser.add_argument("--max-messages", type=int, default=int(env("MAX_MESSAGES", 100_000)))
    parser.add_argument("--log-level", default=env("LOG_LEVEL", "INFO"))
    return parser


def _behaviour_document(arguments: argparse.Namespace) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(arguments.provider_config) if arguments.provider_config else {}
    if not isinstance(document, dict):
        raise BehaviourError("--provider-config must be a JSON object")
    flags = {
        "error_rate": arguments.error_rate,
        "latency_ms": arguments.latency_ms,
        "receipt_delay_ms": arguments.receipt_delay_ms,
        "outage": arguments.outage or None,
        "no_receipt": arguments.no_receipt or None,
    }
    global_settings = dict(document.get("global") or {})
    global_settings.update({name: value for name, value in flags.items() if value is not None})
    return {**document, "global": global_settings}


def parse_settings(argv: Sequence[str] | None, environ: Mapping[str, str]) -> SimulatorSettings:
    """Settings from ``argv`` over ``environ``; exits with a usage message when they make no sense."""
    parser = _parser(environ)
    arguments = parser.parse_args(argv)
    try:
        behaviour = _behaviour_document(arguments)
        BehaviourBoard(behaviour)  # check it now, so a bad value stops the start with a clear message
    except (ValueError, BehaviourError) as error:
        parser.error(str(error))
    if (arguments.signing_key is None) != (arguments.signing_cert is None):
        parser.error("--signing-key and --signing-cert go together")
    has_receipt_auth = arguments.receipt_username and arguments.receipt_password
    return SimulatorSettings(
        host=arguments.host,
        port=arguments.port,
        herald_url=arguments.herald_url,
        public_url=arguments.public_url,
        mmg_receipt_url=arguments.mmg_receipt_url,
        firetext_receipt_url=arguments.firetext_receipt_url,
        ses_receipt_url=arguments.ses_receipt_url,
        receipt_basic_auth=(arguments.receipt_username, arguments.receipt_password) if has_receipt_auth else None,
        mmg_api_key=arguments.mmg_api_key,
        firetext_api_key=arguments.firetext_api_key,
        signing_key_path=arguments.signing_key,
        signing_cert_path=arguments.signing_cert,
        sns_topic_arn=arguments.sns_topic_arn,
        sns_signature_version=arguments.sns_signature_version,
        behaviour=behaviour,
        receipt_workers=arguments.receipt_workers,
        receipt_attempts=arguments.receipt_attempts,
        max_messages=arguments.max_messages,
        log_level=arguments.log_level.upper(),
    )
