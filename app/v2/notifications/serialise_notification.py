"""A stored notification as the v2 API shows it (GET by id and list items; client-contract §5).

The body and subject are rendered again from the exact template version the notification was sent with and
its personalisation, so they always match what was sent.
"""

from __future__ import annotations

from typing import Any

from app.models import Notification, NotificationType, TemplateHistory
from app.notification_status import is_final
from app.templating.email import fill_email_body, render_email_subject
from app.templating.placeholders import UnrenderableValueError
from app.templating.render_bounds import size_problem_before_rendering
from app.templating.sms import render_sms
from app.v2.datetime_format import format_datetime

ADDRESS_LINE_KEYS = ("line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode")


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
    try:
        problem = size_problem_before_rendering(
            notification.notification_type, template.content, template.subject if is_email else None, personalisation
        )
    except UnrenderableValueError:
        problem = "a value cannot be written as text"
    if problem is not None:
        return template.content, (template.subject or "") if is_email else None
    if is_email:
        subject = render_email_subject(template.subject or "", personalisation)
        return fill_email_body(template.content, personalisation), subject
    return render_sms(template.content, personalisation).body, None


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
    notification: Notification, template: TemplateHistory, *, url_root: str, sms_rate_pounds: float
) -> dict[str, Any]:
    """Return the v2 notification object; ``template`` is the version the notification was sent with."""
    body, subject = rendered_body_and_subject(notification, template)
    is_email = notification.notification_type == NotificationType.EMAIL
    return {
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
        **cost_fields(notification, sms_rate_pounds),
    }
