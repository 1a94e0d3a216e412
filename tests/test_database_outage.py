"""While PostgreSQL is away, the service fails fast and honestly, and a client's retries store nothing twice.

The database here is one `credledger up` does not supervise (DATABASE_URL names it, as in production), so it
stays down until the test starts it again: the outage is as long as the test needs, not a race against a
restart. Meanwhile a command answers 503 with Retry-After within 5 s, reads answer 503 (never 500), readiness
says so, and Ctrl-C stops `up` within 10 s. Once the server is back, a client retrying its command with the
same Idempotency-Key stores it exactly once.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from services.api.auth import issue_token
from services.embedded import EmbeddedPostgres, free_port
from tests.api.helpers import ORG
from tests.support import JWT_SECRET, POSITION_HEADER, Infra, credledger, eventually, fresh, process_env

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

ANSWER_LIMIT = 5.0  # seconds: no request waits longer while the database is away
STOP_LIMIT = 10.0  # seconds for `up` to stop on SIGINT whatever is down
TENANT = "outage-firm"


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path / "pg", port=free_port())  # a fixed port: it comes back where it was
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _timed(call: object, *args: object, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)  # type: ignore[operator]
    return response, time.monotonic() - started


def _unavailable(response: httpx.Response, took: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert took < ANSWER_LIMIT, f"answered after {took:.1f}s"


def test_while_postgres_is_away_answers_are_fast_503s_and_retries_store_once(
    postgres: EmbeddedPostgres, infra: Infra, tmp_path: Path
) -> None:
    with psycopg.connect(postgres.dsn, autocommit=True) as con:
        con.execute('CREATE DATABASE "credledger"')
    database_url = postgres.dsn.rsplit("/", 1)[0] + "/credledger"
    port = free_port()
    env = process_env(database_url, infra.nats_url, infra.new_namespace(), tmp_path / "data")
    log = tmp_path / "up.log"
    up = credledger(["up", "--port", str(port)], env, log)
    token = issue_token(JWT_SECRET, tenant=TENANT, role="firm_admin", user="pat")
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"})
    try:

        def ready() -> bool:
            assert up.poll() is None, log.read_text()[-3000:]
            try:
                return client.get("/health/ready", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        eventually(ready, timeout=90)
        created = client.post("/v1/organizations", json=ORG)
        assert created.status_code == 201, created.text
        org = created.json()["id"]
        fresh(client, int(created.headers[POSITION_HEADER]))

        postgres.stop()  # away: nothing restarts it
        retry = {"Idempotency-Key": "during-the-outage"}
        body = {**ORG, "legal_name": "Registered During The Outage"}
        _unavailable(*_timed(client.post, "/v1/organizations", json=body, headers=retry))
        _unavailable(*_timed(client.get, f"/v1/organizations/{org}"))  # the record, from the store
        _unavailable(*_timed(client.get, "/v1/views/affiliation-status"))  # a view, on the API's read pool
        # Reads through the library's repository: the record as it stood, and personal data (its read logged).
        _unavailable(*_timed(client.get, f"/v1/organizations/{org}", params={"as_of": "2026-01-01T00:00:00Z"}))
        _unavailable(*_timed(client.get, f"/v1/organizations/{org}/pii", params={"purpose": "W-9 check"}))
        readiness, took = _timed(client.get, "/health/ready")
        assert readiness.status_code == 503 and took < ANSWER_LIMIT
        assert readiness.json()["checks"]["database"].startswith("unavailable")

        postgres.start()  # back on the same port
        # The client retries its command with the same key until the service answers it.
        answered = eventually(
            lambda: (r := client.post("/v1/organizations", json=body, headers=retry)).status_code == 201 and r,
            timeout=60,
            interval=0.5,
        )
        again = client.post("/v1/organizations", json=body, headers=retry)
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == answered.json()
        with psycopg.connect(database_url) as con:
            stored = con.execute(
                "SELECT count(*) FROM credledger_events WHERE tenant_id = %s AND topic LIKE %s",
                (TENANT, "%Organization.Registered"),
            ).fetchone()
        assert stored == (2,)  # the one before the outage and the retried one, once

        postgres.stop()  # and Ctrl-C while it is away
        started = time.monotonic()
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=STOP_LIMIT + 20) == 0, log.read_text()[-3000:]
        assert time.monotonic() - started < STOP_LIMIT
        assert "Fatal Python error" not in log.read_text()
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
