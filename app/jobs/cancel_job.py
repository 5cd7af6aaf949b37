"""Cancel a job before it starts."""

from __future__ import annotations

import logging
import uuid

from app.clock import utc_now
from app.dao.jobs_dao import dao_cancel_job, dao_get_job_by_id_for_service
from app.errors import BadRequestError
from app.models import Job

logger = logging.getLogger(__name__)


def cancel_job(service_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    """Cancel a `pending` or `scheduled` job. Raises NoResultFound for another service's or an unknown job, and
    BadRequestError once the job has started (or ended)."""
    cancelled = dao_cancel_job(service_id, job_id, now=utc_now())
    if cancelled is None:
        job = dao_get_job_by_id_for_service(service_id, job_id)
        raise BadRequestError(f"Job is {job.job_status}: only pending or scheduled jobs can be cancelled")
    logger.info("Cancelled job %s", job_id, extra={"job_id": str(job_id), "service_id": str(service_id)})
    return cancelled
