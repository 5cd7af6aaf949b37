"""POST /notifications/email/ses: the SNS HTTP endpoint for SES events, every message's signature verified first."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState

from app.authentication.auth import requires_no_auth
from app.caches import AppObjectName, app_object
from app.celery.queues import TaskNames
from app.clock import utc_now
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest
from app.receipts.queueing import apply_or_queue_receipt
from app.receipts.request_body import body_size_limit, json_object_body
from app.receipts.ses_events import ses_event_for_queue
from app.receipts.ses_receipts import process_ses_receipt
from app.receipts.sns_signature import (
    SnsCertificateStore,
    SnsCertificateUnavailableError,
    SnsUntrustedCertificateError,
    SnsVerificationError,
    verify_sns_message,
)
from app.receipts.sns_subscription import SnsSubscriptionError, confirm_sns_subscription
from app.receipts.sns_urls import SnsUrlPolicy, UntrustedSnsUrlError
from config import DEVELOPMENT_ENVIRONMENTS

logger = logging.getLogger(__name__)

# Providers get errors in the admin envelope {"result": "error", "message": [...]}.
receipts_ses = HeraldBlueprint("receipts_ses", __name__, envelope=Envelope.ADMIN)
receipts_ses.before_request(requires_no_auth)

SNS_MESSAGE_TYPES = frozenset({"SubscriptionConfirmation", "Notification", "UnsubscribeConfirmation"})
SUBSCRIBE_TIMEOUT_SECONDS = 5.0
# SNS caps a message at 256 KiB; its JSON envelope escapes the SES event inside it, which can at most double it.
MAX_SNS_BODY_BYTES = 2 * 256 * 1024 + 16 * 1024
_FAILED = "SES-SNS callback failed"


def check_sns_trusted_prefixes(state: BlueprintSetupState) -> None:
    """Refuse to start with a malformed SNS_TRUSTED_CERT_URL_PREFIXES (ValueError names it)."""
    SnsUrlPolicy(state.app.config["SNS_TRUSTED_CERT_URL_PREFIXES"])


receipts_ses.record_once(check_sns_trusted_prefixes)  # when the app registers the blueprint, at start-up


receipts_ses.before_request(body_size_limit(MAX_SNS_BODY_BYTES))


@receipts_ses.route("/notifications/email/ses", methods=["POST"])
def receive_ses_sns_message() -> tuple[Response, int]:
    message_type = request.headers.get("x-amz-sns-message-type")
    if message_type not in SNS_MESSAGE_TYPES:
        raise InvalidRequest([f"{_FAILED}: invalid message type"], 400)
    message = json_object_body(_FAILED)
    if message.get("Type") != message_type:
        raise InvalidRequest([f"{_FAILED}: invalid message type"], 400)
    _check_topic(message)  # before anything is fetched for the message
    _verify(message)
    if message_type == "SubscriptionConfirmation":
        _confirm_subscription(message)
        return jsonify(result="success", message="SES-SNS subscription confirmed"), 200
    if message_type == "UnsubscribeConfirmation":
        logger.warning("SNS unsubscribed us from topic %s", message.get("TopicArn"), extra={"provider": "ses"})
        return jsonify(result="success", message="SES-SNS unsubscribe confirmation noted"), 200
    event = ses_event_for_queue(_ses_event(message), digest_key=current_app.config["SECRET_KEY"])
    apply_or_queue_receipt(lambda: process_ses_receipt(event), TaskNames.PROCESS_SES_RECEIPTS, event, provider="ses")
    return jsonify(result="success", message="SES-SNS callback succeeded"), 200


SNS_CERTIFICATES = AppObjectName[SnsCertificateStore]("herald_sns_certificates")


def certificate_store() -> SnsCertificateStore:
    """The process's one certificate store (fetched certificates are cached in it), built from config once."""
    prefixes = current_app.config["SNS_TRUSTED_CERT_URL_PREFIXES"]
    return app_object(SNS_CERTIFICATES, lambda: SnsCertificateStore(trusted_url_prefixes=prefixes))


def _verify(message: Mapping[str, Any]) -> None:
    """Answers never say what was fetched or why it failed: that goes to the log."""
    try:
        verify_sns_message(
            message,
            certificates=certificate_store(),
            max_age_seconds=current_app.config["SNS_MAX_MESSAGE_AGE_SECONDS"],
            now=utc_now(),
        )
    except SnsCertificateUnavailableError as error:
        logger.warning("SNS message not verified yet: %s", error, extra={"provider": "ses"})
        raise InvalidRequest([f"{_FAILED}: signing certificate unavailable; try again later"], 502) from error
    except SnsUntrustedCertificateError as error:
        logger.warning("SNS message refused: %s", error, extra={"provider": "ses"})
        raise InvalidRequest([f"{_FAILED}: signing certificate not trusted"], 403) from error
    except SnsVerificationError as error:
        logger.warning("SNS message refused: %s", error, extra={"provider": "ses"})
        raise InvalidRequest([f"{_FAILED}: {error}"], 403) from error


def _check_topic(message: Mapping[str, Any]) -> None:
    """Only the configured topics are heard; with none configured, any topic, in development and tests alone."""
    allowed_topics = current_app.config["SNS_TOPIC_ARNS"]
    is_open = not allowed_topics and current_app.config["NOTIFY_ENVIRONMENT"] in DEVELOPMENT_ENVIRONMENTS
    if not is_open and message.get("TopicArn") not in allowed_topics:
        logger.warning("SNS message from a topic not allowed refused", extra={"provider": "ses"})
        raise InvalidRequest([f"{_FAILED}: topic not allowed"], 403)


def _confirm_subscription(message: Mapping[str, Any]) -> None:
    topic_arn = str(message.get("TopicArn"))
    try:
        confirm_sns_subscription(
            message.get("SubscribeURL"),
            topic_arn=topic_arn,
            urls=certificate_store().urls,
            timeout_seconds=SUBSCRIBE_TIMEOUT_SECONDS,
        )
    except UntrustedSnsUrlError as error:
        logger.warning("SNS SubscribeURL refused: %s", error, extra={"provider": "ses"})
        raise InvalidRequest([f"{_FAILED}: untrusted SubscribeURL"], 400) from error
    except SnsSubscriptionError as error:
        logger.warning("SNS subscription not confirmed: %s", error, extra={"provider": "ses"})
        raise InvalidRequest([f"{_FAILED}: subscription not confirmed; try again later"], 502) from error
    logger.info("SNS subscription to topic %s confirmed", topic_arn, extra={"provider": "ses"})


def _ses_event(message: Mapping[str, Any]) -> dict[str, Any]:
    try:
        event = json.loads(message.get("Message") or "null")
    except ValueError as error:
        raise InvalidRequest([f"{_FAILED}: Message is not a SES event"], 400) from error
    if not isinstance(event, dict):
        raise InvalidRequest([f"{_FAILED}: Message is not a SES event"], 400)
    return event
