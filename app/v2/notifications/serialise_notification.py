"""A stored notification as the v2 API shows it (GET by id and list items; client-contract §5).

The body and subject are rendered again from the exact template version the notification was sent with and
its personalisation, so they always match what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.letters.letter_timings import estimated_delivery
from app.models import LetterPostage, Notification, NotificationType, TemplateHistory
from app.notification_status import LETTER_V2_STATUSES, NotificationStatus, is_final
from app.templating.email import fill_email_body, render_email_subject
from app.templating.letter import fill_letter_body, render_letter_subject
from app.templating.placeholders import UnrenderableValueError
from app.templating.render_bounds import size_problem_before_rendering
from app.templating.sms import render_sms
from app.v2.datetime_format import format_datetime

ADDRESS_LINE_KEYS = ("line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode")
UNBILLED_LETTER_STATUSES = frozenset(
    {
        NotificationStatus.CANCELLED,
        NotificationStatus.TECHNICAL_FAILURE,
        NotificationStatus.VALIDATION_FAILED,
        NotificationStatus.VIRUS_SCAN_FAILED,
    }
)


def template_version_uri(url_root: str, template_id: Any, version: int) -> str:
    return f"{url_root.rstrip('/')}/v2/template/{template_id}/version/{version}"


def rendered_body_and_subject(notification: Notification, template: TemplateHistory) -> tuple[str, str | None]:
    """The notification's body and (email only) subject, filled from its own personalisation.

    A notification stored before today's limits (or written around the API) that cannot be filled within them, or
    whose values cannot be written as text, was never sendable: it is shown with its template unfilled rather than
    rendered without a bound.
    """
    personalisation = notification.personalisation
    is_email = notification.notification_type == NotificationType.EMAIL
    is_letter = notification.notification_type == NotificationType.LETTER
    try:
        problem = size_problem_before_rendering(
            notification.notification_type, template.content, template.subject if is_email else None, personalisation
        )
    except UnrenderableValueError:
        problem = "a value cannot be written as text"
    if problem is not None:
        return template.content, (template.subject or "") if is_email or is_letter else None
    if is_letter:
        return fill_letter_body(template.content, personalisation), render_letter_subject(
            template.subject or "", personalisation
        )
    if is_email:
        subject = render_email_subject(template.subject or "", personalisation)
        return fill_email_body(template.content, personalisation), subject
    return render_sms(template.content, personalisation).body, None


def letter_cost_fields(notification: Notification, letter_rates_pounds: Mapping[str, float]) -> dict[str, Any]:
    """A letter's sheets and postage, priced from LETTER_RATES_POUNDS (`<postage>:<sheets>`; null when unpriced).
    Not ready while its PDF is awaited; letters that were never printed cost nothing (letters.md §6)."""
    status = notification.status
    if status == NotificationStatus.PENDING_VIRUS_CHECK or (
        status == NotificationStatus.CREATED and not notification.billable_units
    ):
        return {"cost_details": {}, "cost_in_pounds": None, "is_cost_data_ready": False}
    never_printed = status in UNBILLED_LETTER_STATUSES
    sheets = 0 if never_printed else notification.billable_units
    rate = letter_rates_pounds.get(f"{notification.postage}:{sheets}")
    return {
        "cost_details": {"billable_sheets_of_paper": sheets, "postage": notification.postage},
        "cost_in_pounds": 0.0 if never_printed else rate,
        "is_cost_data_ready": True,
    }


def letter_fields(notification: Notification) -> dict[str, Any]:
    """The raw address lines (there is no `line_7`), the postage, v2's status name and `estimated_delivery`."""
    personalisation = notification.personalisation
    raw = {key: personalisation.get(f"address_{key}") for key in ADDRESS_LINE_KEYS[:-1]}
    postcode = None if "address_line_7" in personalisation else personalisation.get("postcode")
    return {
        **{key: None if value is None else str(value) for key, value in raw.items()},
        "postcode": None if postcode is None else str(postcode),
        "status": LETTER_V2_STATUSES.get(notification.status, notification.status),
        "postage": notification.postage,
        "estimated_delivery": format_datetime(
            estimated_delivery(notification.created_at, notification.postage or LetterPostage.SECOND)
        ),
    }


def is_cost_data_ready(notification: Notification) -> bool:
    """Emails cost nothing; an SMS's billable units are known once a worker has taken it on."""
    return notification.notification_type == NotificationType.EMAIL or notification.status != "created"


def cost_fields(notification: Notification, sms_rate_pounds: float) -> dict[str, Any]:
    """`cost_details`, `cost_in_pounds` and `is_cost_data_ready` (billable units × rate multiplier × SMS rate)."""
    if notification.notification_type == NotificationType.EMAIL:
        return {"cost_details": {}, "cost_in_pounds": 0.0, "is_cost_data_ready": True}
    if not is_cost_data_ready(notification):
        return {"cost_details": {}, "cost_in_pounds": None, "is_cost_data_ready": False}
    rate_multiplier = notification.rate_multiplier or 1
    return {
        "cost_details": {
            "billable_sms_fragments": notification.billable_units,
            "international_rate_multiplier": rate_multiplier,
            "sms_rate": sms_rate_pounds,
        },
        "cost_in_pounds": round(notification.billable_units * rate_multiplier * sms_rate_pounds, 6),
        "is_cost_data_ready": True,
    }


def serialise_notification(
    notification: Notification,
    template: TemplateHistory,
    *,
    url_root: str,
    sms_rate_pounds: float,
    letter_rates_pounds: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Return the v2 notification object; ``template`` is the version the notification was sent with."""
    body, subject = rendered_body_and_subject(notification, template)
    is_email = notification.notification_type == NotificationType.EMAIL
    if notification.notification_type == NotificationType.LETTER:
        extra = {**letter_fields(notification), **letter_cost_fields(notification, letter_rates_pounds or {})}
    else:
        extra = cost_fields(notification, sms_rate_pounds)
    serialised = {
        "id": str(notification.id),
        "reference": notification.client_reference,
        "email_address": notification.to if is_email else None,
        "phone_number": notification.to if notification.notification_type == NotificationType.SMS else None,
        **dict.fromkeys(ADDRESS_LINE_KEYS),
        "type": notification.notification_type,
        "status": notification.status,
        "template": {
            "id": str(notification.template_id),
            "version": notification.template_version,
            "uri": template_version_uri(url_root, notification.template_id, notification.template_version),
        },
        "body": body,
        "subject": subject,
        "created_at": format_datetime(notification.created_at),
        "created_by_name": None,
        "sent_at": format_datetime(notification.sent_at),
        "completed_at": format_datetime(notification.updated_at) if is_final(notification.status) else None,
        "scheduled_for": None,
        "postage": None,
        "one_click_unsubscribe_url": notification.unsubscribe_link if is_email else None,
    }
    serialised.update(extra)
    return serialised
