"""A small asyncio HTTP/1.1 load generator: many keep-alive connections, latency of every request.

Runs as its own process so it doesn't share an interpreter with the server it measures. Prints one JSON line:
{"requests", "errors", "seconds", "rate", "p50_ms", "p95_ms", "p99_ms", "status_counts", "cpu_seconds"}, the last
being the load generator's own CPU time, so the benchmark can count it among the processes sharing the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from urllib.parse import urlsplit


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


class RequestTemplate:
    """Builds request bytes; the Authorization header is re-minted every few seconds (JWT iat window is ±30 s)."""

    def __init__(self, method: str, url: str, body: bytes, header_factory: object | None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._path = parts.path + (f"?{parts.query}" if parts.query else "")
        self._method, self._body = method, body
        self._header_factory = header_factory
        self._cached: bytes = b""
        self._cached_at = 0.0

    def bytes(self) -> bytes:
        now = time.monotonic()
        if not self._cached or now - self._cached_at > 5:
            headers = [
                f"{self._method} {self._path} HTTP/1.1",
                f"Host: {self.host}:{self.port}",
                "Content-Type: application/json",
                f"Content-Length: {len(self._body)}",
            ]
            if self._header_factory is not None:
                headers.append(self._header_factory())  # type: ignore[operator]
            self._cached = ("\r\n".join(headers) + "\r\n\r\n").encode() + self._body
            self._cached_at = now
        return self._cached


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


class Pacer:
    """Hands out send times at a fixed overall rate (open loop): a slow answer delays its own connection only."""

    def __init__(self, rate_per_second: float | None, started: float) -> None:
        self._interval = 1 / rate_per_second if rate_per_second else 0.0
        self._next = started

    async def wait(self) -> None:
        if not self._interval:
            return
        send_at, self._next = self._next, self._next + self._interval
        delay = send_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


async def _connection(
    template: RequestTemplate, deadline: float, latencies: list[float], statuses: Counter, pacer: Pacer
) -> None:
    reader, writer = await asyncio.open_connection(template.host, template.port)
    try:
        while True:
            await pacer.wait()
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            writer.write(template.bytes())
            await writer.drain()
            status = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    except (ConnectionError, asyncio.IncompleteReadError):
        statuses["connection-error"] += 1
    finally:
        writer.close()


async def run_load(
    template: RequestTemplate, *, connections: int, seconds: float, rate_per_second: float | None = None
) -> dict[str, object]:
    """Keep ``connections`` busy for ``seconds``; with ``rate_per_second`` send at that overall rate instead."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    started = time.monotonic()
    deadline = started + seconds
    pacer = Pacer(rate_per_second, started)
    await asyncio.gather(*(_connection(template, deadline, latencies, statuses, pacer) for _ in range(connections)))
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    ok = sum(count for status, count in statuses.items() if isinstance(status, int) and status < 400)
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok + statuses.get("connection-error", 0),
        "seconds": round(elapsed, 2),
        "rate": round(ok / elapsed, 1),
        "p50_ms": round(_percentile(ordered, 0.50), 2),
        "p95_ms": round(_percentile(ordered, 0.95), 2),
        "p99_ms": round(_percentile(ordered, 0.99), 2),
        "mean_ms": round(statistics.fmean(ordered), 2) if ordered else 0.0,
        "status_counts": {str(status): count for status, count in statuses.items()},
        "cpu_seconds": round(time.process_time(), 3),
    }


def _jwt_header_factory(api_key: str):  # noqa: ANN202 - returns a closure
    import jwt

    secret, service_id = api_key[-36:], api_key[-73:-37]

    def header() -> str:
        token = jwt.encode({"iss": service_id, "iat": int(time.time())}, secret, algorithm="HS256")
        return f"Authorization: Bearer {token}"

    return header


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="POST")
    parser.add_argument("--body", default="{}")
    parser.add_argument("--api-key", help="sign a fresh Notify-style JWT with this key")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, help="send at this many requests a second overall (default: flat out)")
    arguments = parser.parse_args()
    header_factory = _jwt_header_factory(arguments.api_key) if arguments.api_key else None
    template = RequestTemplate(arguments.method, arguments.url, arguments.body.encode(), header_factory)
    result = asyncio.run(
        run_load(template, connections=arguments.connections, seconds=arguments.seconds, rate_per_second=arguments.rate)
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
