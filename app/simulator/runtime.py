"""The running simulator's state, shared by its endpoints: behaviour, accepted messages, counters, the receipt
dispatcher and the SNS signing identity, plus the checks every provider endpoint makes first."""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app

from app.simulator.behaviour import PROVIDERS, Behaviour, BehaviourBoard
from app.simulator.receipt_dispatcher import ReceiptDispatcher
from app.simulator.receipt_payloads import SnsTopic
from app.simulator.records import AcceptedMessage, MessageLog, Statistics
from app.simulator.settings import SimulatorSettings
from app.simulator.sns_signing import generate_signing_identity, load_signing_identity

logger = logging.getLogger(__name__)

EXTENSION_KEY = "herald_simulator"
SIGNING_CERT_PATH = "/_simulator/sns-signing-cert.pem"
# Where SNS messages say the certificate is: the shape of a real SNS certificate URL, which Herald requires.
SNS_CERT_FILE_PREFIX = "/SimpleNotificationService-"
UNSUBSCRIBE_PATH = "/_simulator/sns-unsubscribe"


class SimulatedProviderError(Exception):
    """The behaviour says to fail this request: answer ``status_code`` in the provider's error shape."""

    def __init__(self, status_code: int, outcome: str) -> None:
        super().__init__(outcome)
        self.status_code = status_code
        self.outcome = outcome


@dataclass
class SimulatorRuntime:
    settings: SimulatorSettings
    private_key: rsa.RSAPrivateKey
    certificate_pem: bytes
    behaviours: BehaviourBoard
    messages: MessageLog
    statistics: Statistics
    receipts: ReceiptDispatcher
    public_url: str = ""
    _mmg_references: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000_000))
    _reference_lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_settings(cls, settings: SimulatorSettings) -> SimulatorRuntime:
        if settings.signing_key_path is not None and settings.signing_cert_path is not None:
            private_key, certificate_pem = load_signing_identity(settings.signing_key_path, settings.signing_cert_path)
        else:
            private_key, certificate_pem = generate_signing_identity()
        statistics = Statistics()
        dispatcher = ReceiptDispatcher(
            statistics=statistics,
            basic_auth=settings.receipt_basic_auth,
            workers=settings.receipt_workers,
            attempts=settings.receipt_attempts,
            first_backoff_seconds=settings.receipt_first_backoff_seconds,
        )
        return cls(
            settings=settings,
            private_key=private_key,
            certificate_pem=certificate_pem,
            behaviours=BehaviourBoard(settings.behaviour),
            messages=MessageLog(settings.max_messages),
            statistics=statistics,
            receipts=dispatcher,
        )

    def check_behaviour(self, provider: str) -> Behaviour:
        """The provider's behaviour now, after its latency; raises SimulatedProviderError for an outage or an error."""
        behaviour = self.behaviours.for_provider(provider)
        if behaviour.outage:
            raise SimulatedProviderError(503, "outage")
        if behaviour.latency_ms:
            time.sleep(behaviour.latency_ms / 1000)
        if behaviour.error_rate and self._random.random() < behaviour.error_rate:
            raise SimulatedProviderError(500, "error")
        return behaviour

    def delay_answer(self, behaviour: Behaviour) -> None:
        """Wait the behaviour's answer delay, after the message was accepted and its receipts planned."""
        if behaviour.answer_delay_ms:
            time.sleep(behaviour.answer_delay_ms / 1000)

    def receipt_delay_seconds(self, behaviour: Behaviour) -> float:
        low, high = behaviour.receipt_delay_ms
        return self._random.uniform(low, high) / 1000

    def next_mmg_reference(self) -> int:
        with self._reference_lock:
            return next(self._mmg_references)

    def accept(self, message: AcceptedMessage) -> None:
        self.messages.add(message)
        self.statistics.count(message.provider, "outcomes", message.outcome)
        self.record_request(message.provider, "accepted")

    def record_request(self, provider: str, outcome: str) -> None:
        """Count and log one provider request by how it was answered (never its content)."""
        self.statistics.count(provider, "requests", outcome)
        logger.info("%s request %s", provider, outcome, extra={"provider": provider, "outcome": outcome})

    @property
    def sns_certificate_path(self) -> str:
        """``/SimpleNotificationService-<hex>.pem``, the hex naming this run's certificate (as SNS's does)."""
        return f"{SNS_CERT_FILE_PREFIX}{hashlib.sha256(self.certificate_pem).hexdigest()[:32]}.pem"

    def sns_topic(self) -> SnsTopic:
        return SnsTopic(
            topic_arn=self.settings.sns_topic_arn,
            signing_cert_url=f"{self.public_url}{self.sns_certificate_path}",
            unsubscribe_url=f"{self.public_url}{UNSUBSCRIBE_PATH}?TopicArn={self.settings.sns_topic_arn}",
            private_key=self.private_key,
            signature_version=self.settings.sns_signature_version,
        )

    def statistics_document(self) -> dict[str, dict[str, dict[str, int]]]:
        return self.statistics.as_dict(PROVIDERS)


def current_runtime() -> SimulatorRuntime:
    runtime: SimulatorRuntime = current_app.extensions[EXTENSION_KEY]
    return runtime


def utc_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
