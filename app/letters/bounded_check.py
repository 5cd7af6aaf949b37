"""Run the precompiled-PDF checks in a child process bounded in time and memory, so a hostile file (a compression
bomb, a pathological structure pypdf is slow on) costs at most those bounds and ends as `unable-to-read-the-file`.

The child is forked (nothing is re-imported), limits its own address space (RLIMIT_AS: what it inherited plus
``memory_bytes``), runs the checks and writes the outcome back as JSON (never pickle: the parent trusts nothing the
child produced beyond plain values). The parent waits until the deadline, then kills it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import select
import signal
import time
from functools import cache
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.letters.pdf_checks import UNREADABLE, PdfCheck, check_precompiled_pdf
from app.letters.postal_address import parse_postal_address

logger = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 64 * 1024


def check_precompiled_pdf_bounded(
    pdf: bytes, *, can_send_international: bool, timeout_seconds: float, memory_bytes: int
) -> PdfCheck:
    _import_what_the_checks_use()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe and never returns
        os.close(read_end)
        _run_child(write_end, pdf, can_send_international=can_send_international, memory_bytes=memory_bytes)
    os.close(write_end)
    try:
        answer = _read_until(read_end, time.monotonic() + timeout_seconds)
    finally:
        os.close(read_end)
        _reap(pid)
    if answer is None:
        logger.warning("Precompiled PDF checks gave no answer within their bounds")
        return PdfCheck(message=UNREADABLE)
    return _from_json(answer)


@cache
def _import_what_the_checks_use() -> None:
    """Check a small letter once in this process first: pypdf imports modules lazily, and a module first imported in
    a forked child could wait forever on an import lock another thread of the parent held at the fork."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.drawString(100, 700, "Herald")
    canvas.rect(100, 100, 100, 100, fill=1)
    canvas.save()
    check_precompiled_pdf(buffer.getvalue(), can_send_international=False)


def _run_child(write_end: int, pdf: bytes, *, can_send_international: bool, memory_bytes: int) -> None:
    status = 1
    try:
        limit = _address_space_in_use() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        check = check_precompiled_pdf(pdf, can_send_international=can_send_international)
        answer = {
            "page_count": check.page_count,
            "message": check.message,
            "invalid_pages": list(check.invalid_pages),
            "address_lines": list(check.address.lines) if check.address is not None else None,
        }
        data = json.dumps(answer).encode()
        while data:
            data = data[os.write(write_end, data) :]
        status = 0
    except BaseException:  # noqa: BLE001 - out of memory included: the parent sees no answer
        pass
    finally:
        os._exit(status)


def _address_space_in_use() -> int:
    """The process's virtual size now (a threaded worker reserves a stack per thread): the limit is set above it."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _read_until(read_end: int, deadline: float) -> bytes | None:
    answer = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        readable, _, _ = select.select([read_end], [], [], remaining)
        if not readable:
            return None
        part = os.read(read_end, 8192)
        if not part:
            return answer or None
        answer += part
        if len(answer) > MAX_ANSWER_BYTES:
            return None


def _reap(pid: int) -> None:
    finished, _ = os.waitpid(pid, os.WNOHANG)
    if finished == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _from_json(answer: bytes) -> PdfCheck:
    try:
        values: dict[str, Any] = json.loads(answer)
        lines = values["address_lines"]
        return PdfCheck(
            page_count=int(values["page_count"]),
            message=None if values["message"] is None else str(values["message"]),
            invalid_pages=tuple(int(page) for page in values["invalid_pages"]),
            address=None if lines is None else parse_postal_address([str(line) for line in lines]),
        )
    except (ValueError, KeyError, TypeError):
        return PdfCheck(message=UNREADABLE)
