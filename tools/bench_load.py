"""The HTTP load generator of `make bench`: keep-alive HTTP/1.1 over raw asyncio streams, in its own process.

    python -m tools.bench_load --port 8001 --path /complaints --connections 32 --seconds 5 --token T

`--connections` clients each send one request at a time on their own connection for `--warmup` plus
`--seconds`, so the server always has that many requests in flight. Every request carries a new
complaint body (a unique complainant and summary, about 700 bytes) and a new `Idempotency-Key`, as a
caller of the register endpoint would. It writes one JSON document to stdout: the measured window
(wall-clock seconds), the requests completed in it, their latencies and the statuses seen.

It is deliberately not httpx: its own CPU per request (the bench prints it as
`load_generator_*_cpu_us_per_request`, about 0.1 ms against the bare endpoint) is a fraction of
httpx's, so on a 2-vCPU machine it takes little from the server it measures. wrk would take less
still; this needs nothing installed.
Loopback only: `--host` must be a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.clock import business_date

PROVIDER = "provider-alpha"
CONTRACT = "ipes-ew-alpha"


def register_body(n: int, tag: str, received_on: str) -> dict[str, Any]:
    """A valid registration body for the development directory's provider, personal data included."""
    return {
        "complainant": {
            "kind": "participant",
            "name": f"Sam Example-{tag}",
            "address": f"{n} Example Street, Leeds LS1 1AA",
            "email": f"sam.{tag}@example.org",
            "phone": "0113 496 0000",
            "national_insurance_number": "AB123456C",
        },
        "about": "provider",
        "programme": "ipes",
        "provider_organisation_id": PROVIDER,
        "contract_id": CONTRACT,
        "channel": ("phone", "letter", "email")[n % 3],
        "received_on": received_on,
        "nation": "england",
        "elements": [
            {
                "category": "d_you_take_too_long",
                "summary": f"My appointment was cancelled three times ({tag}).",
                "desired_outcome": f"A fixed appointment and an apology ({tag}).",
            }
        ],
    }


def request_bytes(host: str, port: int, path: str, token: str | None, body: bytes, key: str) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
        f"Idempotency-Key: {key}",
    ]
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass(frozen=True)
class ResponseHead:
    status: int
    content_length: int | None
    chunked: bool
    close: bool


def parse_head(raw: bytes) -> ResponseHead:
    """The status line and the headers that frame the body (raises ValueError on garbage)."""
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {lines[0]!r}")
    length: int | None = None
    chunked = close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value
        elif name == "connection":
            close = value == "close"
    return ResponseHead(int(parts[1]), length, chunked, close)


async def read_response(reader: asyncio.StreamReader) -> tuple[ResponseHead, bytes]:
    head = parse_head((await reader.readuntil(b"\r\n\r\n"))[:-4])
    if head.chunked:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        return head, b"".join(chunks)
    return head, await reader.readexactly(head.content_length or 0)


@dataclass
class Tally:
    """Requests completed, by wall-clock completion time, with their latencies (ms) and statuses."""

    done: list[tuple[float, float, int]] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    reconnects: int = 0


async def client(
    args: argparse.Namespace, worker: int, until: float, tally: Tally, keep_bodies: list[bytes] | None
) -> None:
    n = worker
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        while time.time() < until:
            if writer is None:
                reader, writer = await asyncio.open_connection(args.host, args.port)
            assert reader is not None
            tag = uuid.uuid4().hex[:12]
            body = json.dumps(register_body(n, tag, args.received_on), separators=(",", ":")).encode()
            message = request_bytes(args.host, args.port, args.path, args.token, body, str(uuid.uuid4()))
            started = time.perf_counter()
            try:
                writer.write(message)
                head, payload = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.errors += 1
                tally.first_error = tally.first_error or repr(exc)
                writer.close()
                writer, reader = None, None
                tally.reconnects += 1
                await asyncio.sleep(0.01)
                continue
            finished = time.perf_counter()
            tally.done.append((time.time(), (finished - started) * 1000, head.status))
            if keep_bodies is not None and head.status >= 400 and len(keep_bodies) < 3:
                keep_bodies.append(payload[:500])
            if head.close:
                writer.close()
                writer, reader = None, None
            n += args.connections
    finally:
        if writer is not None:
            writer.close()


async def cpu_in_window(window: tuple[float, float]) -> float:
    """This process's CPU seconds over the measured window."""
    await asyncio.sleep(max(0.0, window[0] - time.time()))
    before = time.process_time()
    await asyncio.sleep(max(0.0, window[1] - time.time()))
    return time.process_time() - before


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tally = Tally()
    failures: list[bytes] = []
    start = time.time()
    window = (start + args.warmup, start + args.warmup + args.seconds)
    cpu = asyncio.create_task(cpu_in_window(window))
    await asyncio.gather(*(client(args, i, window[1], tally, failures) for i in range(args.connections)))
    window_cpu = await cpu
    measured = [(t, lat, status) for t, lat, status in tally.done if window[0] <= t <= window[1]]
    statuses: dict[str, int] = {}
    for _, _, status in tally.done:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    ok = [lat for _, lat, status in measured if status < 400]
    return {
        "window": list(window),
        "completed": len(measured),
        "ok": len(ok),
        "per_s": len(ok) / args.seconds,
        "latencies_ms": ok,
        "statuses": statuses,
        "errors": tally.errors,
        "first_error": tally.first_error,
        "failed_bodies": [b.decode("utf-8", "replace") for b in failures],
        "total_requests": len(tally.done),
        "client_cpu_us_per_request": window_cpu * 1e6 / max(1, len(measured)),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/complaints")
    parser.add_argument("--token", default=None, help="bearer token")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--received-on", default=None, help="the complaints' date received (default: today, London)")
    args = parser.parse_args(argv)
    args.received_on = args.received_on or business_date(datetime.now(UTC)).isoformat()
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("--host must be a loopback address: this generator loads servers on this machine only")
    if args.seconds <= 0 or args.seconds > 600 or args.connections < 1 or args.connections > 256:
        parser.error("--seconds in (0, 600], --connections in [1, 256]")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency of uvicorn[standard]
        result = asyncio.run(run(args))
    else:
        result = uvloop.run(run(args))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
