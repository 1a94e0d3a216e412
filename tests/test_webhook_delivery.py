"""Webhook deliveries survive what the service goes through: the receiver down for a while and the workers'
process killed (kill -9) meanwhile lose no message and send none twice; and in production (no setting for local
tests) an endpoint on this machine or over plain http is refused."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest

from tests.api.helpers import register
from tests.support import Infra, eventually, start_stack, stop
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.timeout(240)


def _workers_child(pid: int) -> int | None:
    """The `credledger workers` child of a `credledger up`, while one runs."""
    found = [
        c.pid for c in psutil.Process(pid).children() if c.status() != psutil.STATUS_ZOMBIE and "workers" in c.cmdline()
    ]
    return found[0] if found else None


def test_a_receiver_down_and_a_killed_worker_lose_nothing_and_repeat_nothing(infra: Infra, tmp_path: Path) -> None:
    stack = start_stack(infra, tmp_path)
    receiver = Receiver()  # not listening yet: every attempt is refused
    try:
        client = stack.client("hooks-firm")
        created = client.post("/v1/webhooks", json={"url": receiver.url, "event_types": ["organization.Registered"]})
        assert created.status_code == 201, created.text
        receiver.secret = created.json()["secret"]
        endpoint = created.json()["id"]
        orgs = [register(client, legal_name=f"Practice {i}") for i in range(6)]

        def failing() -> list[dict]:
            items = client.get(f"/v1/webhooks/{endpoint}/deliveries", params={"limit": 100}).json()["items"]
            return [d for d in items if d["status"] == "pending" and d["last_error"]]  # tried and failed

        eventually(lambda: len(failing()) == len(orgs), timeout=60)
        assert all("ConnectError" in d["last_error"] for d in failing())

        first_worker = _workers_child(stack.process.pid)
        assert first_worker is not None
        os.kill(first_worker, signal.SIGKILL)  # the relay, the projections and the webhook worker with it
        more = [register(client, legal_name=f"Practice {i}") for i in range(6, 9)]  # while it is down
        eventually(lambda: _workers_child(stack.process.pid) not in (None, first_worker), timeout=60)

        receiver.start()
        expected = set(orgs + more)
        eventually(lambda: {r.body["data"]["record_id"] for r in receiver.delivered()} == expected, timeout=90)
        delivered = receiver.delivered()
        assert len(delivered) == len(expected)  # each once: no repeat after the restart
        assert len({r.webhook_id for r in delivered}) == len(expected)
        assert all(r.signed for r in delivered)

        # The receiver answers before the sender records the answer: wait for the records too.
        def recorded() -> list[dict]:
            items = client.get(f"/v1/webhooks/{endpoint}/deliveries", params={"limit": 100}).json()["items"]
            return items if all(d["status"] == "delivered" for d in items) else []

        items = eventually(recorded, timeout=30)
        assert len(items) == len(expected)
        assert all(d["attempts"] >= 2 for d in items if d["payload"]["data"]["record_id"] in orgs)
        assert len(receiver.delivered()) == len(expected)  # and still nothing twice
    finally:
        receiver.stop()
        assert stop(stack.process) == 0, stack.log.read_text()[-3000:]


def test_production_refuses_endpoints_on_this_machine_and_plain_http(infra: Infra, tmp_path: Path) -> None:
    stack = start_stack(infra, tmp_path, CREDLEDGER_WEBHOOKS_ALLOW_LOCAL="0")
    try:
        client = stack.client("prod-firm")
        for url in ("http://hooks.example.com/x", "https://127.0.0.1:8443/x", "https://localhost/x", "https://[::1]/"):
            refused = client.post("/v1/webhooks", json={"url": url, "event_types": ["*"]})
            assert refused.status_code == 422, (url, refused.text)
            assert refused.json()["errors"][0]["field"] == "url"
        assert client.get("/v1/webhooks").json()["items"] == []
        taken = client.post("/v1/webhooks", json={"url": "https://hooks.example.com/x", "event_types": ["*"]})
        assert taken.status_code == 201, taken.text
    finally:
        assert stop(stack.process) == 0, stack.log.read_text()[-3000:]
