"""SQLAlchemy models for Herald's tables and the enums they use."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from app.encryption import encryptor
from app.extensions import db
from app.notification_status import NotificationStatus

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time; the type checker sees the declarative base it extends.
    from app.extensions import Base as Model
else:
    Model = db.Model


class NotificationType(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


class TemplateType(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


class TemplateProcessType(StrEnum):
    """Which delivery lane a template's API sends take: `priority` (sign-in codes and the like) or `normal`."""

    NORMAL = "normal"
    PRIORITY = "priority"


class LetterPostage(StrEnum):
    FIRST = "first"
    SECOND = "second"
    ECONOMY = "economy"
    EUROPE = "europe"
    REST_OF_WORLD = "rest-of-world"


class KeyType(StrEnum):
    NORMAL = "normal"
    TEAM = "team"
    TEST = "test"


class ServicePermissionType(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    INTERNATIONAL_SMS = "international_sms"
    INBOUND_SMS = "inbound_sms"
    INTERNATIONAL_LETTERS = "international_letters"


class RecipientType(StrEnum):
    MOBILE = "mobile"
    EMAIL = "email"


class CallbackType(StrEnum):
    DELIVERY_STATUS = "delivery_status"
    COMPLAINT = "complaint"
    INBOUND_SMS = "inbound_sms"
    RETURNED_LETTER = "returned_letter"


class JobStatus(StrEnum):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in progress"
    FINISHED = "finished"
    SENDING_LIMITS_EXCEEDED = "sending limits exceeded"
    CANCELLED = "cancelled"
    ERROR = "error"


# `next_attempt_at` of a `created` job row the bulk-lane feeder has not handed to its queue yet: no safety net finds
# it overdue. A SQL literal, never a bound parameter, so the planner can match the partial index on it; finite,
# because psycopg cannot load 'infinity' into a datetime. See migration 0013.
AWAITING_FEED_SQL = "TIMESTAMPTZ '9999-12-31 00:00:00+00'"


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


def _new_id() -> uuid.UUID:
    return uuid.uuid4()


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=_new_id)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=text("now()"))


class Service(Model):
    __tablename__ = "services"
    __table_args__ = (CheckConstraint("bulk_share_weight >= 1", name="ck_services_bulk_share_weight"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    restricted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    rate_limit: Mapped[int] = mapped_column(Integer, nullable=False, default=3000)
    sms_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False, default=250_000)
    email_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False, default=250_000)
    international_sms_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False, default=100)
    letter_message_limit: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=20_000, server_default=text("20000")
    )
    email_sender_local_part: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    custom_email_sender_name: Mapped[str | None] = mapped_column(String(255))
    prefix_sms: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    data_retention_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    # Where a recipient of a file sent by email can get help (a URL, email address or phone number); a service
    # without one cannot send files by email.
    contact_link: Mapped[str | None] = mapped_column(String(255))
    # Its share of the bulk lane against other services' jobs (app/jobs/bulk_feeder.py); see migration 0013.
    bulk_share_weight: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class ServiceHistory(Model):
    __tablename__ = "services_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False)
    restricted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    rate_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    sms_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False)
    email_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False)
    international_sms_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False)
    letter_message_limit: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("20000"))
    email_sender_local_part: Mapped[str] = mapped_column(String(255), nullable=False)
    custom_email_sender_name: Mapped[str | None] = mapped_column(String(255))
    prefix_sms: Mapped[bool] = mapped_column(Boolean, nullable=False)
    data_retention_days: Mapped[int] = mapped_column(Integer, nullable=False)
    contact_link: Mapped[str | None] = mapped_column(String(255))
    bulk_share_weight: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ServicePermission(Model):
    __tablename__ = "service_permissions"
    __table_args__ = (CheckConstraint(f"permission IN ({_values(ServicePermissionType)})", name="ck_permission"),)

    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(50), primary_key=True)
    created_at: Mapped[datetime] = _created_at()


class ServiceGuestListEntry(Model):
    """A recipient a trial service (or a team key) may send to: a team member or a guest-list entry."""

    __tablename__ = "service_guest_list"
    __table_args__ = (
        CheckConstraint(f"recipient_type IN ({_values(RecipientType)})", name="ck_recipient_type"),
        UniqueConstraint("service_id", "recipient_type", "recipient", name="uq_service_guest_list_recipient"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    recipient_type: Mapped[str] = mapped_column(String(20), nullable=False)
    recipient: Mapped[str] = mapped_column(String(320), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class ServiceSmsSender(Model):
    __tablename__ = "service_sms_senders"
    __table_args__ = (
        Index(
            "uq_service_sms_senders_default",
            "service_id",
            unique=True,
            postgresql_where=text("is_default AND NOT archived"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sms_sender: Mapped[str] = mapped_column(String(11), nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceEmailReplyTo(Model):
    __tablename__ = "service_email_reply_to"
    __table_args__ = (
        Index(
            "uq_service_email_reply_to_default",
            "service_id",
            unique=True,
            postgresql_where=text("is_default AND NOT archived"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email_address: Mapped[str] = mapped_column(String(320), nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceLetterContact(Model):
    """A contact block (the sender's address and details, top right of a letter) a letter template can use."""

    __tablename__ = "service_letter_contacts"
    __table_args__ = (
        Index(
            "uq_service_letter_contacts_default",
            "service_id",
            unique=True,
            postgresql_where=text("is_default AND NOT archived"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contact_block: Mapped[str] = mapped_column(Text, nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceCallbackApi(Model):
    """Where (and with which bearer token) to tell a service about its notifications; secrets encrypted."""

    __tablename__ = "service_callback_api"
    __table_args__ = (
        CheckConstraint(f"callback_type IN ({_values(CallbackType)})", name="ck_callback_type"),
        UniqueConstraint("service_id", "callback_type", name="uq_service_callback_type"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    callback_type: Mapped[str] = mapped_column(String(50), nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    _bearer_token: Mapped[str] = mapped_column("bearer_token", Text, nullable=False)
    _signing_secret: Mapped[str] = mapped_column("signing_secret", Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @property
    def bearer_token(self) -> str:
        return encryptor().decrypt(self._bearer_token)

    @bearer_token.setter
    def bearer_token(self, value: str) -> None:
        self._bearer_token = encryptor().encrypt(value)

    @property
    def signing_secret(self) -> str:
        return encryptor().decrypt(self._signing_secret)

    @signing_secret.setter
    def signing_secret(self, value: str) -> None:
        self._signing_secret = encryptor().encrypt(value)


class ApiKey(Model):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint(f"key_type IN ({_values(KeyType)})", name="ck_key_type"),
        Index(
            "uq_api_keys_service_name_active",
            "service_id",
            "name",
            unique=True,
            postgresql_where=text("expiry_date IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    _secret: Mapped[str] = mapped_column("secret", Text, nullable=False)
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    key_type: Mapped[str] = mapped_column(String(20), nullable=False)
    expiry_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @property
    def secret(self) -> str:
        return encryptor().decrypt(self._secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self._secret = encryptor().encrypt(value)


class ApiKeyHistory(Model):
    __tablename__ = "api_keys_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    _secret: Mapped[str] = mapped_column("secret", Text, nullable=False)
    service_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    key_type: Mapped[str] = mapped_column(String(20), nullable=False)
    expiry_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class _TemplateColumns:
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    template_type: Mapped[str] = mapped_column(String(20), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    subject: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    process_type: Mapped[str] = mapped_column(
        String(20), nullable=False, default=TemplateProcessType.NORMAL, server_default=TemplateProcessType.NORMAL
    )
    # Letters only: the postage class (first, second or economy) and the contact block printed top right.
    postage: Mapped[str | None] = mapped_column(String(20))
    service_letter_contact_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Template(_TemplateColumns, Model):
    __tablename__ = "templates"
    __table_args__ = (
        CheckConstraint(f"template_type IN ({_values(TemplateType)})", name="ck_template_type"),
        CheckConstraint(f"process_type IN ({_values(TemplateProcessType)})", name="ck_template_process_type"),
        CheckConstraint("postage IS NULL OR postage IN ('first', 'second', 'economy')", name="ck_template_postage"),
        ForeignKeyConstraint(
            ["service_letter_contact_id"],
            ["service_letter_contacts.id"],
            name="fk_templates_service_letter_contact_id",
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class TemplateHistory(_TemplateColumns, Model):
    """Every version of every template; notifications point at (template_id, template_version) here."""

    __tablename__ = "templates_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)


class ProviderDetails(Model):
    __tablename__ = "provider_details"

    id: Mapped[uuid.UUID] = _uuid_pk()
    identifier: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(255), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(20), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    supports_international: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)


class ProviderDetailsHistory(Model):
    __tablename__ = "provider_details_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(50), nullable=False)
    display_name: Mapped[str] = mapped_column(String(255), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(20), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False)
    supports_international: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)


class Job(Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"job_status IN ({_values(JobStatus)})", name="ck_job_status"),
        Index("ix_jobs_service_id_created_at", "service_id", "created_at"),
        Index("ix_jobs_scheduled", "scheduled_for", postgresql_where=text("job_status = 'scheduled'")),
        Index(
            "ix_jobs_unfinished_created_at",
            "created_at",
            postgresql_where=text("job_status IN ('pending', 'in progress')"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    original_file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    notification_count: Mapped[int] = mapped_column(Integer, nullable=False)
    job_status: Mapped[str] = mapped_column(String(50), nullable=False, default=JobStatus.PENDING)
    # The validated rows, encrypted (they carry recipients and personalisation).
    _contents: Mapped[str] = mapped_column("contents", Text, nullable=False)
    reply_to_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    key_type: Mapped[str] = mapped_column(String(20), nullable=False, default=KeyType.NORMAL)
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    processing_started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    processing_finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the bulk-lane feeder last handed rows of this job to its queue; see migration 0013.
    rows_fed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class _NotificationColumns:
    job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    job_row_number: Mapped[int | None] = mapped_column(Integer)
    service_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    key_type: Mapped[str] = mapped_column(String(20), nullable=False)
    billable_units: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    notification_type: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str | None] = mapped_column(String(50))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column("notification_status", String(50), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(255))
    client_reference: Mapped[str | None] = mapped_column(String(1000))
    international: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    phone_prefix: Mapped[str | None] = mapped_column(String(10))
    rate_multiplier: Mapped[int | None] = mapped_column(Integer)
    # Letters only: first, second, economy, europe or rest-of-world (LetterPostage); None for texts and emails.
    postage: Mapped[str | None] = mapped_column(String(20))
    # HMAC-SHA256 (hex) of normalised_to under RECIPIENT_SEARCH_KEY, for support search (recipients/search_hash.py).
    recipient_hash: Mapped[str | None] = mapped_column(String(64))


class Notification(_NotificationColumns, Model):
    """The working set: notifications inside their service's retention period, with personal data (encrypted)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"notification_status IN ({_values(NotificationStatus)})", name="ck_notification_status"),
        ForeignKeyConstraint(
            ["template_id", "template_version"],
            ["templates_history.id", "templates_history.version"],
            name="fk_notifications_template_version",
        ),
        UniqueConstraint("job_id", "job_row_number", name="uq_notifications_job_row_number"),
        Index("ix_notifications_service_created_at", "service_id", "created_at"),
        Index("ix_notifications_service_key_type_created_at", "service_id", "key_type", "created_at"),
        Index("ix_notifications_reference", "reference"),
        Index("ix_notifications_client_reference", "service_id", "client_reference"),
        Index(
            "ix_notifications_service_recipient_hash",
            "service_id",
            "recipient_hash",
            "created_at",
            postgresql_where=text("recipient_hash IS NOT NULL"),
        ),
        Index("ix_notifications_job_id_status", "job_id", "notification_status"),
        Index("ix_notifications_status_created_at", "notification_status", "created_at"),
        Index("ix_notifications_created_at", "created_at"),
        Index(
            "ix_notifications_unrecorded_sending_claims",
            "sending_claimed_at",
            postgresql_where=text("notification_status = 'sending' AND sent_at IS NULL"),
        ),
        Index(
            "ix_notifications_created_due_at",
            text("coalesce(next_attempt_at, created_at)"),
            postgresql_where=text("notification_status = 'created'"),
        ),
        Index(
            "ix_notifications_awaiting_feed",
            "job_id",
            "job_row_number",
            postgresql_where=text(f"notification_status = 'created' AND next_attempt_at = {AWAITING_FEED_SQL}"),
        ),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    # Text: a letter's is its address (up to 7 lines) and its reply-to text the contact block (migration 0015).
    to: Mapped[str] = mapped_column(Text, nullable=False)
    normalised_to: Mapped[str | None] = mapped_column(Text)
    _personalisation: Mapped[str | None] = mapped_column("personalisation", Text)
    reply_to_text: Mapped[str | None] = mapped_column(Text)
    unsubscribe_link: Mapped[str | None] = mapped_column(String(2000))
    # When a worker claimed it (created -> sending) before calling a provider; see migration 0003.
    sending_claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Not claimable before this: its last send may have been taken and its receipt may still come; see migration 0006.
    receipt_wait_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Not to be handed to a provider before this (a retry countdown); NULL: due since created_at. See migration 0007.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def personalisation(self) -> dict[str, Any]:
        return encryptor().decrypt_json(self._personalisation) if self._personalisation else {}

    @personalisation.setter
    def personalisation(self, value: dict[str, Any] | None) -> None:
        self._personalisation = encryptor().encrypt_json(value or {})


class NotificationHistory(_NotificationColumns, Model):
    """Notifications past retention: the same metadata without recipient, personalisation or reply-to."""

    __tablename__ = "notification_history"
    __table_args__ = (
        Index("ix_notification_history_service_created_at", "service_id", "created_at"),
        Index("ix_notification_history_reference", "reference"),
        Index("ix_notification_history_job_id_status", "job_id", "notification_status"),
        # created_at too: a reference a service reuses on many notifications is still read newest first from the index.
        Index("ix_notification_history_client_reference", "service_id", "client_reference", "created_at"),
        Index(
            "ix_notification_history_service_recipient_hash",
            "service_id",
            "recipient_hash",
            "created_at",
            postgresql_where=text("recipient_hash IS NOT NULL"),
        ),
        Index("ix_notification_history_created_at_brin", "created_at", postgresql_using="brin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)


class NotificationStatusEvent(Model):
    """One change of a notification's status, written by a trigger on `notifications` (migration 0011) in the
    statement that changes it, whichever guarded UPDATE that is. Creation is not an event: a notification was
    `created` at its `created_at`. Kept after the notification moves to history (no personal data here); pruned
    after SUPPORT_SEARCH_HISTORY_DAYS, and with the test-key notifications retention deletes."""

    __tablename__ = "notification_status_events"
    __table_args__ = (
        Index("ix_notification_status_events_notification_id", "notification_id", "changed_at"),
        Index("ix_notification_status_events_changed_at", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    notification_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    status: Mapped[str] = mapped_column("notification_status", String(50), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SupportSearchKind(StrEnum):
    RECIPIENT = "recipient"
    REFERENCE = "reference"
    ID = "id"


class SupportSearchAudit(Model):
    """Who searched a service's notifications, when, for what (a keyed hash, never the value), and how much came
    back: written before the search is answered."""

    __tablename__ = "support_search_audit"
    __table_args__ = (
        CheckConstraint(f"search_kind IN ({_values(SupportSearchKind)})", name="ck_support_search_kind"),
        Index("ix_support_search_audit_service_searched_at", "service_id", "searched_at"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    admin_client_id: Mapped[str] = mapped_column(String(255), nullable=False)
    searched_by: Mapped[str] = mapped_column(String(255), nullable=False)
    searched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    search_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    searched_value_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    result_count: Mapped[int] = mapped_column(Integer, nullable=False)


class InboundNumber(Model):
    __tablename__ = "inbound_numbers"

    id: Mapped[uuid.UUID] = _uuid_pk()
    number: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    provider: Mapped[str] = mapped_column(String(50), nullable=False)
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="SET NULL"), unique=True
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = _created_at()


class InboundSms(Model):
    __tablename__ = "inbound_sms"
    __table_args__ = (Index("ix_inbound_sms_service_created_at", "service_id", "created_at"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    notify_number: Mapped[str] = mapped_column(String(20), nullable=False)
    user_number: Mapped[str] = mapped_column(String(20), nullable=False)
    provider_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(50), nullable=False)
    _content: Mapped[str] = mapped_column("content", Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()

    @property
    def content(self) -> str:
        return encryptor().decrypt(self._content)

    @content.setter
    def content(self, value: str) -> None:
        self._content = encryptor().encrypt(value)


class Complaint(Model):
    __tablename__ = "complaints"

    id: Mapped[uuid.UUID] = _uuid_pk()
    notification_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    ses_feedback_id: Mapped[str | None] = mapped_column(Text, unique=True)
    complaint_type: Mapped[str | None] = mapped_column(Text)
    complaint_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()


class ReturnedLetter(Model):
    """A letter Royal Mail sent back, as reported to Herald (letters.md §5.6); one row per letter."""

    __tablename__ = "returned_letters"

    id: Mapped[uuid.UUID] = _uuid_pk()
    notification_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, unique=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reported_at: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = _created_at()


class IdempotencyRecord(Model):
    """A POST send made with an Idempotency-Key header: its request fingerprint and the 201 it got.

    A key belongs to the service and the type of API key that used it, so a test key's request is never replayed
    to a live key. The answer holds rendered content, so it is stored encrypted.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created_at", "created_at"),)

    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    key_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    _response_body: Mapped[str | None] = mapped_column("response_body", Text)
    created_at: Mapped[datetime] = _created_at()

    @property
    def response_body(self) -> dict[str, Any] | None:
        return None if self._response_body is None else encryptor().decrypt_json(self._response_body)

    @response_body.setter
    def response_body(self, value: dict[str, Any] | None) -> None:
        self._response_body = None if value is None else encryptor().encrypt_json(value)


class PendingCallback(Model):
    """A service callback whose task the broker could not take when it was due; beat queues it once it can.

    Written only on that failure, in a transaction of its own after the change it reports on had committed, so a
    broker outage delays a callback instead of losing it.
    """

    __tablename__ = "pending_callbacks"

    id: Mapped[uuid.UUID] = _uuid_pk()
    task_name: Mapped[str] = mapped_column(String(255), nullable=False)
    row_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    created_at: Mapped[datetime] = _created_at()


class Rate(Model):
    """What one SMS fragment or one email costs from ``valid_from`` until the next row of its type."""

    __tablename__ = "rates"
    __table_args__ = (
        CheckConstraint("notification_type IN ('sms', 'email')", name="ck_rates_notification_type"),
        CheckConstraint("rate >= 0", name="ck_rates_rate"),
        UniqueConstraint("notification_type", "valid_from", name="uq_rates_notification_type_valid_from"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(20), nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 4), nullable=False)


class LetterRate(Model):
    """What one letter of ``sheet_count`` sheets costs at a postage class, from ``valid_from``."""

    __tablename__ = "letter_rates"
    __table_args__ = (
        CheckConstraint("sheet_count >= 1", name="ck_letter_rates_sheet_count"),
        CheckConstraint("rate >= 0", name="ck_letter_rates_rate"),
        UniqueConstraint("postage", "sheet_count", "valid_from", name="uq_letter_rates_postage_sheets_valid_from"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sheet_count: Mapped[int] = mapped_column(Integer, nullable=False)
    postage: Mapped[str] = mapped_column(String(20), nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 4), nullable=False)


class AnnualBilling(Model):
    """A service's free SMS fragments for the financial year (April to March) starting in ``financial_year_start``."""

    __tablename__ = "annual_billing"
    __table_args__ = (
        CheckConstraint("free_sms_fragment_limit >= 0", name="ck_annual_billing_free_sms_fragment_limit"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    financial_year_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    free_sms_fragment_limit: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FactBilling(Model):
    """What was sent to providers on one UK day, per service, template, channel, provider and price; rebuilt nightly.

    ``billable_units`` sums the notifications' own units: SMS fragments (before the rate multiplier), letter sheets,
    and one per email. Keys that do not apply are stored as ``rate_multiplier`` 1 and ``postage`` 'none', so every
    key column is non-null.
    """

    __tablename__ = "ft_billing"
    __table_args__ = (Index("ix_ft_billing_service_id_bst_date", "service_id", "bst_date"),)

    bst_date: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    notification_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    provider: Mapped[str] = mapped_column(String(50), primary_key=True)
    rate_multiplier: Mapped[int] = mapped_column(Integer, primary_key=True)
    international: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    postage: Mapped[str] = mapped_column(String(20), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 4), primary_key=True)
    notifications_sent: Mapped[int] = mapped_column(Integer, nullable=False)
    billable_units: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Document(Model):
    """A file sent by email: what Herald must know to serve it, never its content or key.

    The content lives encrypted in the document store under (service_id, id) with a key only the email's link
    carries. ``encrypted_filename`` is sealed with that key too, and ``recipient_proof`` is an HMAC of the
    recipient's normalised address under it, so these rows alone reveal neither the file nor whom it was for.
    """

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_expires_at", "expires_at"),)

    id: Mapped[uuid.UUID] = _uuid_pk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    notification_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    encrypted_filename: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    mimetype: Mapped[str] = mapped_column(String(255), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    recipient_proof: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class OpsSignIn(Model):
    """One operator's sign-in to the console: a one-time link, then the session it opened (see migration 0014).

    Both tokens are stored only as SHA-256 hex digests.
    """

    __tablename__ = "ops_sign_ins"
    __table_args__ = (
        UniqueConstraint("link_token_hash", name="uq_ops_sign_ins_link_token_hash"),
        UniqueConstraint("session_token_hash", name="uq_ops_sign_ins_session_token_hash"),
    )

    id: Mapped[uuid.UUID] = _uuid_pk()
    link_token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    link_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    link_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_token_hash: Mapped[str | None] = mapped_column(String(64))
    session_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created_at()
