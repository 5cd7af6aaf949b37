"""Delete documents whose retention has ended: the sealed file first, then its row."""

from __future__ import annotations

import logging
from datetime import datetime

from app.dao.documents_dao import dao_delete_documents_by_id, dao_list_expired_documents
from app.documents.storage import DocumentStore

logger = logging.getLogger(__name__)


def delete_expired_documents(store: DocumentStore, *, now: datetime, batch_size: int) -> int:
    """Remove every document expired at ``now``, ``batch_size`` at a time; return how many. When the store fails the
    error propagates and the rows of that batch stay, so the next run tries them again."""
    deleted = 0
    while True:
        expired = dao_list_expired_documents(now, batch_size)
        if not expired:
            break
        for service_id, document_id in expired:
            store.delete(service_id, document_id)
        dao_delete_documents_by_id(document_id for _, document_id in expired)
        deleted += len(expired)
        if len(expired) < batch_size:
            break
    logger.info("Deleted %d expired documents", deleted, extra={"deleted_count": deleted})
    return deleted
