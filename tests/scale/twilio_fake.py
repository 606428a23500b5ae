"""A small Twilio imitation on loopback for fault tests and benchmarks.

It answers the requests the real TwilioGateway makes (through the twilio SDK, with
twilio.api_base_url pointed here): POST .../Messages.json and .../Calls.json create,
GET of the same lists by To. It can fail a share of creates with Twilio's transient
errors (HTTP 503, or 429 with code 20429), delay the others, and now and then delay
one past the client's timeout. It counts what it accepted per StatusCallback token
(one token per outbound message row), so a test can tell how often each reminder
really reached "Twilio". GET /_stats returns those counts.

Run: python -m tests.scale.twilio_fake --port-file FILE [--fail-rate 0.2 ...]
It writes its port to FILE when it is listening and serves until killed.
Plain asyncio, one process: it must not share the GIL with the code it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ACCOUNT = "AC" + "0" * 32


class Peer:
    def __init__(self, fail_rate: float, delay_ms: float, slow_rate: float, slow_ms: float,
                 max_failures_in_row: int, seed: int) -> None:
        self.fail_rate, self.delay_ms = fail_rate, delay_ms
        self.slow_rate, self.slow_ms = slow_rate, slow_ms
        self.max_failures_in_row = max_failures_in_row
        self.random = random.Random(seed)
        self.accepted: Counter[str] = Counter()  # StatusCallback token -> accepted creates
        self.failed_in_row: Counter[str] = Counter()  # To -> transient failures in a row
        self.records: dict[str, list[dict[str, object]]] = defaultdict(list)  # To -> records
        self.requests = 0
        self.failures = 0
        self.slow = 0
        self.arrivals: list[float] = []  # monotonic time of each create request
        self.first_seen: dict[str, float] = {}  # StatusCallback token -> wall time accepted

    def busiest(self, seconds: float) -> int:
        """The most create requests that arrived within any `seconds`."""
        most, start = 0, 0
        for end, at in enumerate(self.arrivals):
            while at - self.arrivals[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most

    def stats(self, with_times: bool = False) -> dict[str, object]:
        if with_times:
            return {"first_seen": self.first_seen}
        return {"requests": self.requests, "failures": self.failures, "slow": self.slow,
                "creates": len(self.arrivals), "busiest_2s": self.busiest(2.0),
                "accepted": dict(self.accepted)}

    async def create(self, kind: str, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        self.requests += 1
        self.arrivals.append(time.monotonic())
        to = form.get("To", "")
        if (self.random.random() < self.fail_rate
                and self.failed_in_row[to] < self.max_failures_in_row):
            self.failed_in_row[to] += 1
            self.failures += 1
            if self.random.random() < 0.5:
                return 503, {"code": 20503, "message": "Service Unavailable", "status": 503}
            return 429, {"code": 20429, "message": "Too Many Requests", "status": 429}
        self.failed_in_row[to] = 0
        if self.random.random() < self.slow_rate:
            self.slow += 1
            delay = self.slow_ms
        else:
            delay = self.random.uniform(0, self.delay_ms)
        now = datetime.now(UTC)
        record = self._record(kind, form, now)
        token = form.get("StatusCallback", "").rstrip("/").rsplit("/", 1)[-1]
        # Accepted the moment it is stored, answered after the delay: a client that
        # gives up waiting has still sent the message, as with the real Twilio.
        self.accepted[token] += 1
        self.first_seen.setdefault(token, now.timestamp())
        self.records[to].append(record)
        if delay:
            await asyncio.sleep(delay / 1000.0)
        return 201, record

    def _record(self, kind: str, form: dict[str, str], now: datetime) -> dict[str, object]:
        prefix = "CA" if kind == "Calls" else "SM"
        sid = prefix + secrets.token_hex(16)
        record: dict[str, object] = {
            "sid": sid, "account_sid": ACCOUNT, "api_version": "2010-04-01",
            "to": form.get("To"), "from": form.get("From"),
            "status": "queued", "date_created": format_datetime(now),
            "date_updated": format_datetime(now), "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT}/{kind}/{sid}.json",
        }
        if kind == "Messages":
            record.update(body=form.get("Body"), direction="outbound-api", num_segments="1",
                          num_media="0", error_code=None, error_message=None, price=None,
                          price_unit="EUR", messaging_service_sid=form.get("MessagingServiceSid"),
                          subresource_uris={})
        else:
            record.update(direction="outbound-api", start_time=None, end_time=None,
                          duration=None, parent_call_sid=None, subresource_uris={})
        return record

    def listing(self, kind: str, query: dict[str, str]) -> dict[str, object]:
        self.requests += 1
        prefix = "CA" if kind == "Calls" else "SM"
        to = query.get("To", "")
        records = [r for r in reversed(self.records.get(to, []))
                   if str(r["sid"]).startswith(prefix)]
        limit = int(query.get("PageSize", "50"))
        key = "calls" if kind == "Calls" else "messages"
        return {key: records[:limit], "next_page_uri": None, "page": 0, "page_size": limit,
                "first_page_uri": None, "previous_page_uri": None,
                "uri": f"/2010-04-01/Accounts/{ACCOUNT}/{kind}.json"}


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    length = 0
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return method, target, body


async def _answer(writer: asyncio.StreamWriter, status: int, payload: object) -> None:
    data = json.dumps(payload).encode()
    reason = {200: "OK", 201: "Created", 404: "Not Found", 429: "Too Many Requests",
              503: "Service Unavailable"}.get(status, "OK")
    writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n"
                 .encode() + data)
    await writer.drain()


def _one(values: dict[str, list[str]]) -> dict[str, str]:
    return {key: items[0] for key, items in values.items()}


async def _serve_connection(peer: Peer, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await _read_request(reader)
            if request is None:
                break
            method, target, body = request
            parts = urlsplit(target)
            kind = "Calls" if parts.path.endswith("/Calls.json") else "Messages"
            if parts.path == "/_stats":
                await _answer(writer, 200, peer.stats(with_times="times" in parts.query))
            elif method == "POST" and parts.path.endswith(f"/{kind}.json"):
                form = _one(parse_qs(body.decode(), keep_blank_values=True))
                status, payload = await peer.create(kind, form)
                await _answer(writer, status, payload)
            elif method == "GET" and parts.path.endswith(f"/{kind}.json"):
                await _answer(writer, 200, peer.listing(kind, _one(parse_qs(parts.query))))
            else:
                await _answer(writer, 404, {"code": 20404, "message": "Not Found",
                                            "status": 404})
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def serve(peer: Peer, port_file: Path, port: int) -> None:
    server = await asyncio.start_server(
        lambda r, w: _serve_connection(peer, r, w), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(bound))
    tmp.replace(port_file)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--slow-rate", type=float, default=0.0)
    parser.add_argument("--slow-ms", type=float, default=0.0)
    parser.add_argument("--max-failures-in-row", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    peer = Peer(args.fail_rate, args.delay_ms, args.slow_rate, args.slow_ms,
                args.max_failures_in_row, args.seed)
    asyncio.run(serve(peer, args.port_file, args.port))


if __name__ == "__main__":
    main()
