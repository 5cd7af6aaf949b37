"""`make bench` phase 5, mixed load: do the delivery lanes keep their promises while a big job drains?

1. Alone: service A's job of ``rows`` texts, nothing else running; its throughput is rows / (last row handed to the
   provider − job created).
2. Mixed: the same job again; once it is draining (``warm_rows`` handed over) and for ``seconds``, A sends texts from
   a priority template through the API at ``priority_rate``/s, service B sends API texts at ``b_rate``/s and starts a
   job of ``small_rows`` rows. Then everything is left to drain.

Reports created → sent p50/p99 per lane and service (from the notifications table: `created_at`, `sent_at`), whether
B's small job finished before A's big one, and A's job throughput mixed against alone, all from the same run.
Runs inside bench.py's app context, with its stack (API, simulator, workers) started.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HIGH_LIMIT = 1_000_000_000
API_PHONE_NUMBER = "07700900123"  # delivered by the simulator; not a smoke-test number
TARGETS = {
    "priority": "p99 < 1,000 ms",
    "normal": "p99 < 3,000 ms",
}


@dataclass(frozen=True)
class Sender:
    """A service as the mixed load uses it: its live key and its templates (SMS)."""

    service_id: uuid.UUID
    api_key: str
    template_id: uuid.UUID
    priority_template_id: uuid.UUID


@dataclass(frozen=True)
class MixedLoad:
    rows: int = 20_000
    small_rows: int = 200
    warm_rows: int = 1_000
    seconds: float = 30.0
    priority_rate: float = 5.0
    b_rate: float = 20.0
    drain_seconds: float = 600.0


def seed_sender(name: str) -> Sender:
    """A live service whose limits never refuse the benchmark, with a normal and a priority SMS template."""
    from app.admin.api_keys.rest import full_key_string
    from app.admin.services.management import create_service
    from app.dao.api_key_dao import dao_create_api_key
    from app.dao.services_dao import dao_create_sms_sender
    from app.dao.templates_dao import dao_create_template
    from app.extensions import db

    service = create_service(
        name=name,
        restricted=False,
        permissions=["sms", "email"],
        rate_limit=HIGH_LIMIT,
        sms_message_limit=HIGH_LIMIT,
        email_message_limit=HIGH_LIMIT,
    )
    dao_create_sms_sender(service.id, sms_sender="HERALD", is_default=True)
    content = "Hello ((name)), your code is ((code))."
    template = dao_create_template(service.id, name="news", template_type="sms", content=content)
    priority = dao_create_template(
        service.id, name="security code", template_type="sms", content=content, process_type="priority"
    )
    api_key = full_key_string(dao_create_api_key(service.id, name="bench", key_type="normal"))
    db.session.commit()
    return Sender(service.id, api_key, template.id, priority.id)


def measure_mixed_load(api_url: str, a: Sender, b: Sender, load: MixedLoad, progress: Callable[[str], None]) -> dict:
    """Both runs; see the module's docstring."""
    _wait_for_quiet(load.drain_seconds)
    progress(f"mixed load: A's {load.rows:,}-row job alone")
    alone = _start_job(a, load.rows, "alone.csv")
    alone_drained = _wait_until(lambda: _unsent_rows(alone) == 0, load.drain_seconds)
    alone_rate = _job_rate(alone)

    progress(f"mixed load: A's job again, with A's priority texts, B's API texts and B's {load.small_rows}-row job")
    big = _start_job(a, load.rows, "mixed.csv")
    _wait_until(lambda: load.rows - _unsent_rows(big) >= load.warm_rows, load.drain_seconds)
    priority_reference, b_reference = f"mixed-priority-{uuid.uuid4().hex[:8]}", f"mixed-b-{uuid.uuid4().hex[:8]}"
    loadgens = [
        _start_loadgen(api_url, a.api_key, a.priority_template_id, priority_reference, load.priority_rate, load),
        _start_loadgen(api_url, b.api_key, b.template_id, b_reference, load.b_rate, load),
    ]
    small = _start_job(b, load.small_rows, "small.csv")
    accepted = [_finished_loadgen(process) for process in loadgens]
    mixed_drained = _wait_until(
        lambda: _unsent_rows(big) == 0 and _unsent_rows(small) == 0 and _unsent_api(a, b) == 0, load.drain_seconds
    )
    big_done, small_done = _last_sent(big), _last_sent(small)
    mixed_rate = _job_rate(big)
    return {
        "rows": load.rows,
        "small_rows": load.small_rows,
        "seconds": load.seconds,
        "is_drained": alone_drained and mixed_drained,
        "alone_rate": alone_rate,
        "mixed_rate": mixed_rate,
        "throughput_ratio": round(mixed_rate / alone_rate, 3) if alone_rate else 0.0,
        "small_job_finished_first": small_done is not None and (big_done is None or small_done < big_done),
        "small_job_finished_after_big_s": (
            round((small_done - big_done).total_seconds(), 1) if small_done and big_done else None
        ),
        "accepted": {"priority A": accepted[0], "normal B": accepted[1]},
        "lanes": {
            "priority, A (API, priority template)": _latencies("client_reference = :value", priority_reference),
            "normal, B (API)": _latencies("client_reference = :value", b_reference),
            f"bulk, A ({load.rows:,}-row job)": _latencies("job_id = :value", big),
            f"bulk, B ({load.small_rows:,}-row job)": _latencies("job_id = :value", small),
            f"bulk, A ({load.rows:,}-row job, alone)": _latencies("job_id = :value", alone),
        },
    }


def table_rows(mixed: dict[str, Any], row: Callable[..., None]) -> None:
    """The phase's lines of bench.py's table."""
    drained = "" if mixed["is_drained"] else ", NOT all sent"
    row(
        f"5. Mixed load: A's {mixed['rows']:,}-row job rows/s, mixed / alone{drained}",
        f"{mixed['mixed_rate']:,.0f} / {mixed['alone_rate']:,.0f}",
        target="",
    )
    row("   A's job throughput mixed / alone", f"{mixed['throughput_ratio']:.0%}", target=">= 90%")
    for lane, figures in mixed["lanes"].items():
        kind = lane.split(",")[0]
        p50, p99 = figures["sent_ms"]
        row(
            f"   {lane}: created → sent ({figures['sent']:,} of {figures['count']:,} sent)",
            "",
            p50,
            "",
            p99,
            TARGETS.get(kind, ""),
        )
    after = mixed["small_job_finished_after_big_s"]
    row(
        "   B's small job finished before A's big job",
        "yes" if mixed["small_job_finished_first"] else f"no (+{after} s)",
        target="yes",
    )


def _start_job(sender: Sender, rows: int, name: str) -> uuid.UUID:
    from app.dao.services_dao import dao_get_serialised_service
    from app.jobs.create_job import JobRequest, JobSender, create_job

    recipients = [["phone number", "name", "code"]]
    recipients += [[f"07400 {100_000 + index:06d}", f"Person {index}", "123456"] for index in range(rows)]
    job = create_job(
        JobRequest(name=name, template_id=sender.template_id, rows=recipients),
        JobSender(service=dao_get_serialised_service(sender.service_id)),
    )
    return job.id


def _start_loadgen(
    api_url: str, api_key: str, template_id: uuid.UUID, reference: str, rate: float, load: MixedLoad
) -> subprocess.Popen[str]:
    body = {
        "phone_number": API_PHONE_NUMBER,
        "template_id": str(template_id),
        "personalisation": {"name": "Ada", "code": "123456"},
        "reference": reference,
    }
    command = [sys.executable, str(ROOT / "benchmarks" / "loadgen.py"), "--url", f"{api_url}/v2/notifications/sms"]
    command += ["--body", json.dumps(body), "--api-key", api_key, "--connections", "4"]
    command += ["--seconds", str(load.seconds), "--rate", str(rate)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def _finished_loadgen(process: subprocess.Popen[str]) -> int:
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed ({process.returncode})")
    return int(json.loads(output.strip().splitlines()[-1])["ok"])


def _wait_until(condition: Callable[[], bool], timeout_seconds: float) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def _wait_for_quiet(timeout_seconds: float) -> None:
    """Let an earlier phase's backlog go first: nothing `created` left to send."""
    _wait_until(lambda: _scalar("SELECT count(*) FROM notifications WHERE notification_status = 'created'") == 0, 60)


def _scalar(sql: str, **parameters: Any) -> Any:
    from sqlalchemy import text

    from app.extensions import db

    value = db.session.execute(text(sql), parameters).scalar()
    db.session.commit()
    return value


def _unsent_rows(job_id: uuid.UUID) -> int:
    """Rows of the job not handed to a provider yet (counting rows the job has not made yet)."""
    sent = _scalar("SELECT count(*) FROM notifications WHERE job_id = :job_id AND sent_at IS NOT NULL", job_id=job_id)
    total = _scalar("SELECT notification_count FROM jobs WHERE id = :job_id", job_id=job_id)
    return int(total) - int(sent)


def _unsent_api(a: Sender, b: Sender) -> int:
    return int(
        _scalar(
            "SELECT count(*) FROM notifications WHERE service_id IN (:a, :b) AND job_id IS NULL"
            " AND notification_status = 'created'",
            a=a.service_id,
            b=b.service_id,
        )
    )


def _last_sent(job_id: uuid.UUID) -> Any:
    return _scalar("SELECT max(sent_at) FROM notifications WHERE job_id = :job_id", job_id=job_id)


def _job_rate(job_id: uuid.UUID) -> float:
    """Rows handed over per second, from the job's creation to its last row's hand-over."""
    seconds = _scalar(
        "SELECT extract(epoch FROM max(n.sent_at) - j.created_at) FROM notifications n JOIN jobs j ON j.id = n.job_id"
        " WHERE n.job_id = :job_id AND n.sent_at IS NOT NULL GROUP BY j.created_at",
        job_id=job_id,
    )
    sent = _scalar("SELECT count(*) FROM notifications WHERE job_id = :job_id AND sent_at IS NOT NULL", job_id=job_id)
    return round(int(sent) / float(seconds), 1) if seconds else 0.0


def _latencies(condition: str, value: Any) -> dict[str, Any]:
    from sqlalchemy import text

    from app.extensions import db

    figures = db.session.execute(
        text(
            "SELECT count(*) AS count, count(sent_at) AS sent,"
            " percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY sent_at - created_at)"
            f" FILTER (WHERE sent_at IS NOT NULL) AS sent_ms FROM notifications WHERE {condition}"
        ),
        {"value": value},
    ).one()
    db.session.commit()
    sent_ms = [round(delta.total_seconds() * 1000, 1) for delta in figures.sent_ms or []] or ["", ""]
    return {"count": figures.count, "sent": figures.sent, "sent_ms": sent_ms}
