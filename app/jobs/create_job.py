"""Create a job from a recipient file: check the template and sender, validate every row, store, then queue it.

Nothing is stored unless every row is valid. A job to send now is checked against what is left of today's daily
limits (429 `TooManyRequestsError` up front, so the client hears at once), and takes its share of them for real
when it starts. A scheduled job is checked against what is knowable now of the (UTC) day it is scheduled for: that
day's counters (sends already counted when it is today) plus the rows of the service's other jobs scheduled for that
day, so a job bigger than the whole daily limit is refused at once; it takes its share when it starts. A job to send
now gets its process_job task straight after the commit; if that enqueue fails the job is deleted and the error
propagates, so a client never gets a 201 for a job that will not run.

A letter job's recipients are its address columns (`columns.match_letter_columns`), each row's address checked as a
single letter's is, and its key follows the single letter's rules (no team keys; a trial service only with a test
key). A letter job has no sender to choose: its letters carry the template's contact block.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import NoResultFound

from app.clock import utc_now
from app.dao.jobs_dao import dao_count_scheduled_job_rows, dao_create_job, dao_delete_job_by_id
from app.dao.letter_contacts_dao import dao_find_letter_contact_by_id
from app.dao.services_dao import dao_get_email_reply_to_by_id, dao_get_sms_sender_by_id
from app.dao.templates_dao import dao_get_template_by_id
from app.errors import BadRequestError, TooManyRequestsError
from app.jobs.columns import match_columns, match_letter_columns
from app.jobs.contents import encode_job_contents
from app.jobs.daily_allowance import LimitShare, check_daily_allowance, job_limit_shares
from app.jobs.queueing import enqueue_process_job
from app.jobs.recipient_file import RecipientFile, read_csv_text, read_row_lists
from app.jobs.row_validation import (
    TEAM_KEY_MESSAGE,
    TRIAL_MODE_MESSAGE,
    PreparedRows,
    SendingRules,
    normalised_recipients,
    validate_rows,
)
from app.letters.send_letter import check_key_type_can_send_letters
from app.limits.daily import daily_limits_for
from app.models import Job, JobStatus, KeyType, ServicePermissionType, Template, TemplateType
from app.redis_store import redis_client
from app.serialised_models import SerialisedService

logger = logging.getLogger(__name__)

TYPE_DESCRIPTIONS = {
    TemplateType.SMS.value: "text messages",
    TemplateType.EMAIL.value: "emails",
    TemplateType.LETTER.value: "letters",
}


@dataclass(frozen=True)
class JobRequest:
    """What the client asked for; exactly one of `rows` and `csv` is set."""

    name: str
    template_id: uuid.UUID
    rows: Sequence[Any] | None = None
    csv: str | None = None
    scheduled_for: datetime | None = None
    reply_to_id: uuid.UUID | None = None


@dataclass(frozen=True)
class JobSender:
    """Who is sending: the service and the key (none through the admin API, which sends as a live key would)."""

    service: SerialisedService
    key_type: str = KeyType.NORMAL
    api_key_id: uuid.UUID | None = None
    created_by: str | None = None


def create_job(request: JobRequest, sender: JobSender) -> Job:
    """Validate and store the job, and queue it unless it is scheduled. Raises BadRequestError (template, sender),
    JobFileError (the file and its rows) or TooManyRequestsError (daily limit); stores nothing when it raises."""
    template = get_sendable_template(sender.service, request.template_id)
    if template.template_type == TemplateType.LETTER:
        check_key_type_can_send_letters(sender.key_type, is_restricted=sender.service.restricted)
    elif request.reply_to_id is not None:
        check_reply_to_id(sender.service.id, template.template_type, request.reply_to_id)
    prepared = validate_recipient_file(read_recipient_file(request), template, sender)
    check_job_fits_daily_limits(request.scheduled_for, sender, template.template_type, prepared)
    job = dao_create_job(_new_job(request, sender, template, prepared))
    logger.info(
        "Created job %s with %s rows for service %s",
        job.id,
        job.notification_count,
        sender.service.id,
        extra={"job_id": str(job.id), "service_id": str(sender.service.id), "notification_count": len(prepared.rows)},
    )
    if request.scheduled_for is None:
        _enqueue_or_delete(job.id)
    return job


def get_sendable_template(service: SerialisedService, template_id: uuid.UUID) -> Template:
    try:
        template = dao_get_template_by_id(service.id, template_id)
    except NoResultFound as error:
        raise BadRequestError("Template not found") from error
    if template.archived:
        raise BadRequestError("Template has been deleted")
    if template.template_type not in TYPE_DESCRIPTIONS:
        raise BadRequestError(f"Service is not allowed to send {template.template_type}s")
    if not service.has_permission(template.template_type):
        raise BadRequestError(f"Service is not allowed to send {TYPE_DESCRIPTIONS[template.template_type]}")
    return template


def check_reply_to_id(service_id: uuid.UUID, template_type: str, reply_to_id: uuid.UUID) -> None:
    lookup = dao_get_sms_sender_by_id if template_type == TemplateType.SMS else dao_get_email_reply_to_by_id
    try:
        lookup(service_id, reply_to_id)
    except NoResultFound as error:
        raise BadRequestError(
            f"reply_to_id {reply_to_id} does not exist in database for service id {service_id}"
        ) from error


def read_recipient_file(request: JobRequest) -> RecipientFile:
    if request.csv is not None:
        return read_csv_text(request.csv)
    return read_row_lists(request.rows or [])


def validate_recipient_file(recipient_file: RecipientFile, template: Template, sender: JobSender) -> PreparedRows:
    texts = [template.content, template.subject or ""]
    if template.template_type == TemplateType.LETTER:
        columns = match_letter_columns(recipient_file.header, [*texts, _letter_contact_block(template)])
    else:
        columns = match_columns(recipient_file.header, template.template_type, texts)
    return validate_rows(recipient_file, columns, sending_rules(template, sender))


def _letter_contact_block(template: Template) -> str:
    """The template's contact block text (its placeholders need columns too), or "" when it has none."""
    if template.service_letter_contact_id is None:
        return ""
    contact = dao_find_letter_contact_by_id(template.service_id, template.service_letter_contact_id)
    return contact.contact_block if contact is not None else ""


def sending_rules(template: Template, sender: JobSender) -> SendingRules:
    """Test keys may send to anyone; team keys, and live keys of a trial service, only to the guest list."""
    service = sender.service
    if template.template_type == TemplateType.LETTER:  # the key was checked with the template
        return SendingRules(
            template_type=template.template_type,
            template_content=template.content,
            can_send_international=service.has_permission(ServicePermissionType.INTERNATIONAL_LETTERS),
            template_subject=template.subject,
            template_postage=template.postage,
        )
    rules = SendingRules(
        template_type=template.template_type,
        template_content=template.content,
        can_send_international=service.has_permission(ServicePermissionType.INTERNATIONAL_SMS),
        template_subject=template.subject,
    )
    if sender.key_type == KeyType.TEAM:
        return _restricted(rules, service, TEAM_KEY_MESSAGE)
    if sender.key_type == KeyType.NORMAL and service.restricted:
        return _restricted(rules, service, TRIAL_MODE_MESSAGE)
    return rules


def _restricted(rules: SendingRules, service: SerialisedService, message: str) -> SendingRules:
    return SendingRules(
        template_type=rules.template_type,
        template_content=rules.template_content,
        can_send_international=rules.can_send_international,
        template_subject=rules.template_subject,
        allowed_recipients=normalised_recipients(service.guest_list),
        refusal_message=message,
    )


def check_job_fits_daily_limits(
    scheduled_for: datetime | None, sender: JobSender, template_type: str, prepared: PreparedRows
) -> None:
    """Raise TooManyRequestsError when the job cannot fit the daily limits of the day it is to be sent (see the
    module docstring); changes no counter."""
    shares = _limit_shares(sender, template_type, prepared)
    if scheduled_for is None:
        check_daily_allowance(redis_client(), sender.service.id, shares, day=utc_now().date())
        return
    day = scheduled_for.astimezone(UTC).date()
    scheduled_rows = _rows_scheduled_on(sender.service.id, template_type, day) if shares else 0
    shares = [_plus(share, scheduled_rows) if share.name == template_type else share for share in shares]
    for share in shares:  # without Redis, or on a day no counter exists for yet, the limit itself still holds
        if share.amount > share.limit:
            raise TooManyRequestsError(share.name, share.limit)
    check_daily_allowance(redis_client(), sender.service.id, shares, day=day)


def _rows_scheduled_on(service_id: uuid.UUID, template_type: str, day: date) -> int:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return dao_count_scheduled_job_rows(
        service_id, template_type, scheduled_from=start, scheduled_before=start + timedelta(days=1)
    )


def _plus(share: LimitShare, amount: int) -> LimitShare:
    return LimitShare(share.name, share.amount + amount, share.limit)


def _limit_shares(sender: JobSender, template_type: str, prepared: PreparedRows) -> list[LimitShare]:
    return job_limit_shares(
        daily_limits_for(sender.service, trial_daily_limit=current_app.config["TRIAL_DAILY_LIMIT"]),
        notification_type=template_type,
        key_type=sender.key_type,
        row_count=len(prepared.rows),
        international_count=prepared.international_count,
    )


def _new_job(request: JobRequest, sender: JobSender, template: Template, prepared: PreparedRows) -> Job:
    now = utc_now()
    return Job(
        id=uuid.uuid4(),
        original_file_name=request.name,
        service_id=sender.service.id,
        template_id=template.id,
        template_version=template.version,
        notification_count=len(prepared.rows),
        job_status=JobStatus.SCHEDULED if request.scheduled_for else JobStatus.PENDING,
        _contents=encode_job_contents(prepared),
        reply_to_id=request.reply_to_id,
        api_key_id=sender.api_key_id,
        key_type=sender.key_type,
        scheduled_for=request.scheduled_for,
        created_by=sender.created_by,
        created_at=now,
        updated_at=now,
    )


def _enqueue_or_delete(job_id: uuid.UUID) -> None:
    """Queue process_job for a new job; if the broker refuses, delete the job and re-raise."""
    try:
        enqueue_process_job(job_id)
    except Exception:
        dao_delete_job_by_id(job_id)
        logger.exception("Could not queue job %s; deleted it", job_id, extra={"job_id": str(job_id)})
        raise
