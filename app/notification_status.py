"""The notification status machine: every status, which are final, and which transitions are allowed."""

from __future__ import annotations

from enum import StrEnum


class NotificationStatus(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"
    TEMPORARY_FAILURE = "temporary-failure"
    TECHNICAL_FAILURE = "technical-failure"
    # Letters only (letters.md §5.1)
    PENDING_VIRUS_CHECK = "pending-virus-check"
    CANCELLED = "cancelled"
    VALIDATION_FAILED = "validation-failed"
    VIRUS_SCAN_FAILED = "virus-scan-failed"
    RETURNED_LETTER = "returned-letter"


FINAL_STATUSES: frozenset[NotificationStatus] = frozenset(
    {
        NotificationStatus.SENT,
        NotificationStatus.DELIVERED,
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TEMPORARY_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
        NotificationStatus.CANCELLED,
        NotificationStatus.VALIDATION_FAILED,
        NotificationStatus.VIRUS_SCAN_FAILED,
        NotificationStatus.RETURNED_LETTER,
    }
)

FAILURE_STATUSES: frozenset[NotificationStatus] = frozenset(
    {
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TEMPORARY_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)

# Target status -> the statuses a notification may be in for the move to be allowed. The guarded UPDATE uses
# these sets in its WHERE clause, so two racing writers can never both move a notification out of a final status.
ALLOWED_PREVIOUS_STATUSES: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    # A worker hands its claim back (sending -> created) when the provider refused retryably; the DAO also requires
    # that no provider answer was recorded and that the claim is its own.
    # A precompiled letter whose PDF passed the scan and the sanitiser becomes `created` (ready for print).
    NotificationStatus.CREATED: frozenset({NotificationStatus.SENDING, NotificationStatus.PENDING_VIRUS_CHECK}),
    NotificationStatus.SENDING: frozenset({NotificationStatus.CREATED}),
    # From `sending` too: the worker claims first, then marks international SMS without receipts `sent`.
    NotificationStatus.SENT: frozenset({NotificationStatus.CREATED, NotificationStatus.SENDING}),
    NotificationStatus.PENDING: frozenset({NotificationStatus.SENDING}),
    # `pending-virus-check`: a test key's precompiled letter is `delivered` once its PDF passes (letters.md §3.3).
    NotificationStatus.DELIVERED: frozenset(
        {NotificationStatus.SENDING, NotificationStatus.PENDING, NotificationStatus.PENDING_VIRUS_CHECK}
    ),
    NotificationStatus.PERMANENT_FAILURE: frozenset(
        {NotificationStatus.CREATED, NotificationStatus.SENDING, NotificationStatus.PENDING}
    ),
    # Firetext has no temporary-failure code: its mapping decides "declined after pending" before calling here.
    NotificationStatus.TEMPORARY_FAILURE: frozenset({NotificationStatus.SENDING, NotificationStatus.PENDING}),
    # `pending` too: a Firetext receipt with a status code we do not know may follow a `pending` one.
    NotificationStatus.TECHNICAL_FAILURE: frozenset(
        {
            NotificationStatus.CREATED,
            NotificationStatus.SENDING,
            NotificationStatus.PENDING,
            NotificationStatus.PENDING_VIRUS_CHECK,
        }
    ),
    # Letters: cancelled before the print run, refused PDFs, infected uploads (letters.md §3.3, §5.2, §5.3).
    NotificationStatus.CANCELLED: frozenset({NotificationStatus.CREATED, NotificationStatus.PENDING_VIRUS_CHECK}),
    NotificationStatus.VALIDATION_FAILED: frozenset(
        {NotificationStatus.CREATED, NotificationStatus.PENDING_VIRUS_CHECK}
    ),
    NotificationStatus.VIRUS_SCAN_FAILED: frozenset({NotificationStatus.PENDING_VIRUS_CHECK}),
    # The one move out of a final status: Royal Mail reports a despatched letter returned, days later (§5.6).
    NotificationStatus.RETURNED_LETTER: frozenset({NotificationStatus.SENDING, NotificationStatus.DELIVERED}),
}

# Statuses a provider receipt may move a notification out of. `created` only when its last send got no answer (the
# provider may have taken it) and recorded the reference its receipts carry: the claim was handed back to wait for
# the receipt (see `delivery/claims.py`). The receipt moves it on as it would from `sending`, and the DAO's guard
# (`dao_update_awaiting_notification_status_from_receipt`) also requires that reference, so a retry that comes
# after the receipt finds it no longer `created` and never sends it again.
RECEIPT_UPDATABLE_STATUSES: frozenset[NotificationStatus] = frozenset(
    {NotificationStatus.SENDING, NotificationStatus.PENDING, NotificationStatus.CREATED}
)

# Statuses a provider receipt may move a notification to.
RECEIPT_TARGET_STATUSES: frozenset[NotificationStatus] = frozenset(
    {
        NotificationStatus.PENDING,
        NotificationStatus.SENT,
        NotificationStatus.DELIVERED,
        *FAILURE_STATUSES,
    }
)

# The v2 API's `failed` filter expands to these: the failures, and the letter outcomes Notify counts with them.
FAILED_FILTER_EXPANSION: tuple[str, ...] = tuple(
    sorted(
        str(status)
        for status in (
            *FAILURE_STATUSES,
            NotificationStatus.VALIDATION_FAILED,
            NotificationStatus.VIRUS_SCAN_FAILED,
            NotificationStatus.RETURNED_LETTER,
        )
    )
)

# How v2 shows a letter's status, and what the letter-only filters `accepted` and `received` expand to. `received`
# leaves out `returned-letter`, as Notify's does (letters.md §5.1).
LETTER_V2_STATUSES: dict[str, str] = {
    NotificationStatus.CREATED: "accepted",
    NotificationStatus.SENDING: "accepted",
    NotificationStatus.DELIVERED: "received",
    NotificationStatus.RETURNED_LETTER: "received",
}
LETTER_FILTER_EXPANSIONS: dict[str, tuple[str, ...]] = {
    "accepted": (NotificationStatus.CREATED, NotificationStatus.SENDING),
    "received": (NotificationStatus.DELIVERED,),
}


def is_final(status: str) -> bool:
    """Return True when ``status`` can never change again."""
    return status in FINAL_STATUSES


def allowed_previous_statuses(target: NotificationStatus) -> frozenset[NotificationStatus]:
    """Return the statuses from which ``target`` may be reached (`created` only by handing a claim back)."""
    return ALLOWED_PREVIOUS_STATUSES.get(target, frozenset())


def is_transition_allowed(current: str, target: NotificationStatus) -> bool:
    """Return True when a notification in ``current`` may move to ``target``."""
    return current in allowed_previous_statuses(target)


def is_receipt_transition_allowed(current: str, target: NotificationStatus) -> bool:
    """Return True when a provider receipt may move a notification in ``current`` to ``target``: as
    is_transition_allowed, with `created` (a handed-back claim waiting for its receipt) taken as `sending`."""
    if current not in RECEIPT_UPDATABLE_STATUSES or target not in RECEIPT_TARGET_STATUSES:
        return False
    as_if = NotificationStatus.SENDING if current == NotificationStatus.CREATED else current
    return is_transition_allowed(as_if, target)
