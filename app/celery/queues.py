"""Queue and task names. Task names are part of every queued message: never rename one once shipped."""

from __future__ import annotations

from enum import StrEnum


class QueueNames(StrEnum):
    # Delivery lanes, one queue per lane and channel: priority (sends from priority templates), normal (other API
    # sends: the original queue names, so messages queued before lanes existed are still consumed) and bulk (job rows).
    PRIORITY_SMS = "priority-sms"
    PRIORITY_EMAIL = "priority-email"
    SEND_SMS = "send-sms"
    SEND_EMAIL = "send-email"
    BULK_SMS = "bulk-sms"
    BULK_EMAIL = "bulk-email"
    RESEARCH_MODE = "research-mode"
    RETRY = "retry"
    RECEIPTS = "receipts"
    JOBS = "jobs"
    PERIODIC = "periodic"
    CALLBACKS = "callbacks"
    # Letters: templated letters rendered to PDF (Notify's queue name)
    CREATE_LETTERS_PDF = "create-letters-pdf-tasks"
    # Precompiled letters: the virus scan, then the PDF checks (Notify's queue names)
    ANTIVIRUS = "antivirus-tasks"
    SANITISE_LETTERS = "sanitise-letter-tasks"
    # Letters handed to the print provider (Notify's queue name)
    SEND_LETTER = "send-letter-tasks"


class TaskNames(StrEnum):
    # args: (notification_id: str); a retry adds kwarg failed_provider (the provider the next attempt avoids)
    DELIVER_SMS = "deliver_sms"
    DELIVER_EMAIL = "deliver_email"
    # args: (notification_ids: list of str, at most delivery.batch_send.MAX_DELIVER_BATCH); a notification to retry
    # is queued again as a single deliver_sms / deliver_email
    DELIVER_SMS_BATCH = "deliver_sms_batch"
    DELIVER_EMAIL_BATCH = "deliver_email_batch"
    PROCESS_JOB = "process_job"
    # args: (notification_id: str); render a templated letter's PDF and store it (Notify's task name)
    CREATE_LETTERS_PDF = "get-pdf-for-templated-letter"
    # args: (notification_id: str); scan a precompiled letter's upload for viruses, then check its PDF
    SCAN_FILE = "scan-file"
    SANITISE_LETTER = "sanitise-letter"
    # Precompiled letters still `pending-virus-check` after a while are queued for their scan again (beat); no args
    RESCAN_PENDING_PRECOMPILED_LETTERS = "rescan-pending-precompiled-letters"
    # args: (notification_id: str); hand one ready letter to the print provider
    DELIVER_LETTER = "deliver_letter"
    # The print run (beat); no args (Notify's task name)
    CHECK_TIME_TO_COLLATE_LETTERS = "check-time-to-collate-letters"
    # args: (notification_id: str, job_status: "DESPATCHED" | "REJECTED", total_sheets: str | None)
    PROCESS_LETTER_CALLBACK = "process-letter-callback"
    # args: (provider: "mmg" | "firetext", receipt: dict of the provider's receipt fields as strings)
    PROCESS_SMS_RECEIPT = "process_sms_receipt"
    # args: (ses_event: dict, the decoded SNS `Message` of a SES Delivery/Bounce/Complaint event)
    PROCESS_SES_RECEIPT = "process_ses_receipt"
    # args: (provider: "mmg" | "firetext", receipts: list of receipts as PROCESS_SMS_RECEIPT takes one), at most
    # MAX_RECEIPT_BATCH (process_receipt_tasks.py) applied in one statement
    PROCESS_SMS_RECEIPTS = "process_sms_receipts"
    # args: (ses_events: list of events as PROCESS_SES_RECEIPT takes one), as PROCESS_SMS_RECEIPTS
    PROCESS_SES_RECEIPTS = "process_ses_receipts"
    # args: (notification_id: str) / (complaint_id: str) / (inbound_sms_id: str); each task loads its own rows
    SEND_DELIVERY_STATUS_TO_SERVICE = "send_delivery_status_to_service"
    SEND_COMPLAINT_TO_SERVICE = "send_complaint_to_service"
    SEND_INBOUND_SMS_TO_SERVICE = "send_inbound_sms_to_service"
    # args: (notification_id: str) of a letter just returned
    SEND_RETURNED_LETTER_TO_SERVICE = "send_returned_letter_to_service"
    # args: (references: list of 16-character letter references, reported_at: ISO date) (Notify's task name)
    PROCESS_RETURNED_LETTERS_LIST = "process-returned-letters-list"
    # Delivery safety nets and provider weights (beat); no args
    REQUEUE_CREATED_NOTIFICATIONS = "requeue_created_notifications"
    REQUEUE_STALE_SENDING_CLAIMS = "requeue_stale_sending_claims"
    TIMEOUT_SENDING_NOTIFICATIONS = "timeout_sending_notifications"
    TEND_PROVIDERS_BACK_TO_MIDDLE = "tend_providers_back_to_middle"
    # Callbacks the broker refused when they were due (beat); no args
    QUEUE_PENDING_CALLBACKS = "queue_pending_callbacks"
    # Jobs (beat); no args
    RUN_SCHEDULED_JOBS = "run_scheduled_jobs"
    RESUME_STALLED_JOBS = "resume_stalled_jobs"
    # Jobs (kicked by process_job, queued again by itself while rows wait, and by beat as a safety net); no args
    FEED_BULK_LANES = "feed_bulk_lanes"
    # Retention (beat, nightly); no args
    DELETE_NOTIFICATIONS_OLDER_THAN_RETENTION = "delete_notifications_older_than_retention"
    DELETE_INBOUND_SMS_OLDER_THAN_RETENTION = "delete_inbound_sms_older_than_retention"
    ARCHIVE_JOBS_OLDER_THAN_RETENTION = "archive_jobs_older_than_retention"
    DELETE_EXPIRED_IDEMPOTENCY_KEYS = "delete_expired_idempotency_keys"
    # Billing (beat, nightly); no args
    CREATE_NIGHTLY_BILLING = "create_nightly_billing"
    # Files sent by email past their retention (beat, hourly); no args
    DELETE_EXPIRED_DOCUMENTS = "delete_expired_documents"


def all_queues() -> list[str]:
    return [str(queue) for queue in QueueNames]
