"""A webhook receiver on loopback for the tests: it records every request, verifies its Standard Webhooks
signature, answers what the test tells it, and can go down and come back on the same port."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.embedded import free_port


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: dict[str, Any]
    signed: bool  # the signature verified with the endpoint's secret
    answered: int


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    secret: str | None = None
    answers: list[int] = field(default_factory=list)  # the next answers' status codes; then 204
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                with receiver._lock:
                    status = receiver.answers.pop(0) if receiver.answers else 204
                    try:
                        Webhook(receiver.secret or "whsec_AAAA").verify(raw, headers)
                        signed = receiver.secret is not None
                    except WebhookVerificationError:
                        signed = False
                    receiver.received.append(
                        Received(headers.get("webhook-id", ""), headers, json.loads(raw), signed, status)
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered(self) -> list[Received]:
        """The requests it accepted (a 2xx answer)."""
        with self._lock:
            return [r for r in self.received if 200 <= r.answered < 300]

    def of_type(self, message_type: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.body["type"] == message_type]
