"""A job as the APIs show it, optionally with its notifications counted by status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from app.dao.statistics_dao import StatusCount
from app.models import Job


def serialise_job(job: Job, statistics: Sequence[StatusCount] | None = None) -> dict[str, Any]:
    serialised: dict[str, Any] = {
        "id": str(job.id),
        "name": job.original_file_name,
        "service_id": str(job.service_id),
        "template_id": str(job.template_id),
        "template_version": job.template_version,
        "notification_count": job.notification_count,
        "job_status": job.job_status,
        "scheduled_for": _timestamp(job.scheduled_for),
        "processing_started": _timestamp(job.processing_started),
        "processing_finished": _timestamp(job.processing_finished),
        "created_at": _timestamp(job.created_at),
    }
    if statistics is not None:
        serialised["statistics"] = [{"status": count.status, "count": count.count} for count in statistics]
    return serialised


def _timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None
