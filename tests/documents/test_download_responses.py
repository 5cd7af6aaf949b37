"""The file's Content-Disposition (RFC 6266) and the Redis attempt counter's behaviour when Redis is away."""

from __future__ import annotations

import logging
import uuid

import pytest
import redis

from app.documents import confirmation_attempts
from app.documents.responses import content_disposition


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("letter.pdf", "attachment; filename=\"letter.pdf\"; filename*=UTF-8''letter.pdf"),
        (
            "Résumé 2026.docx",
            ("attachment; filename=\"R_sum_ 2026.docx\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.docx"),
        ),
        ('a"b;c.txt', "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%3Bc.txt"),
        ("../../etc/passwd.txt", "attachment; filename=\"etcpasswd.txt\"; filename*=UTF-8''etcpasswd.txt"),
        (
            "a\r\nSet-Cookie: x.txt",
            ("attachment; filename=\"aSet-Cookie_ x.txt\"; filename*=UTF-8''aSet-Cookie%3A%20x.txt"),
        ),
        ("..", "attachment; filename=\"file\"; filename*=UTF-8''file"),
    ],
    ids=["plain", "accents-and-space", "quote-and-semicolon", "path", "header-injection", "dots-only"],
)
def test_the_filename_is_given_twice_and_never_breaks_the_header(filename: str, header: str) -> None:
    assert content_disposition(filename) == header


def test_without_redis_the_attempt_counter_fails_open_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    document_id = uuid.uuid4()

    with caplog.at_level(logging.WARNING):
        confirmation_attempts.record_wrong_attempt(unreachable, document_id, 60)
        has_attempts_left = confirmation_attempts.has_attempts_left(unreachable, document_id, 1)

    assert has_attempts_left
    assert [record.document_id for record in caplog.records] == [str(document_id)] * 2  # type: ignore[attr-defined]
