"""A webhook endpoint on 127.0.0.1 that records every delivery: for the end-to-end tests, `make bench`, and
pointing a subscription at while trying `make run` by hand. Local only, never deployed.

It can also misbehave the ways real endpoints do, for the isolation tests and the bench: `hang` seconds of
silence before answering, or `drip` — the answer sent one byte every `drip` seconds, which no per-read socket
timeout ever trips."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]  # as sent (names keep their case)
    body: bytes  # raw, as signed
    at: float = 0.0  # time.monotonic() when the request was read

    @cached_property  # polled often by wait_for: parse once
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body or b"{}")

    @property
    def object_id(self) -> str:
        return ((self.payload.get("data") or {}).get("object") or {}).get("id", "")


class WebhookReceiver:
    """Answers every POST with `status` and keeps (headers, raw body); use as a context manager or `close()`.

    `status` may be changed while it runs (a receiver that recovers)."""

    def __init__(self, status: int = 204, *, hang: float = 0.0, drip: float | None = None) -> None:
        self._deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver._deliveries.append(Delivery(dict(self.headers.items()), body, time.monotonic()))
                if hang and receiver._closing.wait(hang):
                    return
                if drip is not None:
                    self._drip(drip)
                    return
                self.send_response(receiver.status)
                self.end_headers()

            def _drip(self, interval: float) -> None:
                answer = f"HTTP/1.1 {receiver.status} OK\r\nContent-Length: 0\r\n\r\n".encode()
                for byte in answer:
                    if receiver._closing.wait(interval):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the sender gave up: what a deadline is for
                        return
                self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def objects(self, event_type: str | None = None) -> set[str]:
        """The ids of the objects delivered (of one event type, if given)."""
        return {d.object_id for d in self.deliveries if event_type is None or d.payload.get("type") == event_type}

    def wait_for(self, object_ids: set[str], seconds: float, event_type: str | None = None) -> float:
        """Wait, at most `seconds`, until every one of `object_ids` was delivered; returns the time waited."""
        started = time.monotonic()
        while time.monotonic() - started < seconds and not object_ids <= self.objects(event_type):
            time.sleep(0.1)
        return time.monotonic() - started

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
