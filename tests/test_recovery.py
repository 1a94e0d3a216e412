"""Killing the relay or the projection worker mid-stream loses and duplicates nothing.

Real PostgreSQL and NATS; the components run as the `credledger relay` and
`credledger project` processes users run, and are killed with SIGKILL (no
chance to clean up) while a writer keeps adding events.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.application import Application
from domain.organization import Organization
from services.app import Actor, Credledger
from services.app.application_commands import (
    DenyApplication,
    OpenApplication,
    RejectApplication,
    SubmitApplication,
)
from services.composition import open_credledger
from services.migrate import migrate
from services.store.transcoder import EventMapper, MsgspecTranscoder
from tests.mixed_workload import organization
from tests.support import MASTER_KEY, Infra, credledger, eventually, process_env, read_stream, stop

pytestmark = pytest.mark.timeout(240)
TENANTS = ("recovery-a", "recovery-b")
OPENED = date(2026, 1, 6)  # after the organizations' registration (2026-01-05), before the submissions


class Writer(threading.Thread):
    """Registers organizations and moves their applications along, for both tenants."""

    def __init__(self, app: Credledger, commands: int, seed: int) -> None:
        super().__init__(daemon=True)
        self.app, self.commands, self.rng = app, commands, random.Random(seed)
        self.error: BaseException | None = None
        # Keeps writing past `commands` until cleared, so kills always land mid-stream.
        self.more = threading.Event()
        self.more.set()

    def check(self) -> bool:
        if self.error is not None:
            raise AssertionError(f"the writer failed: {self.error!r}") from self.error
        return True

    def run(self) -> None:
        try:
            orgs: dict[str, list[Any]] = defaultdict(list)
            open_apps: dict[str, list[Any]] = defaultdict(list)
            submitted: dict[str, list[Any]] = defaultdict(list)
            i = 0
            while i < self.commands or self.more.is_set():
                i += 1
                tenant = self.rng.choice(TENANTS)
                actor = Actor(tenant, "writer", "specialist")
                step = self.rng.random()
                if not orgs[tenant] or step < 0.3:
                    orgs[tenant].append(self.app.register_organization(actor, organization(f"Org {i}")).id)
                elif step < 0.6:
                    kind = self.rng.choice(["posc_registration", "primary_user_modification"])
                    org = self.rng.choice(orgs[tenant])
                    command = OpenApplication(organization_id=org, kind=kind, channel="fax", opened_on=OPENED)
                    open_apps[tenant].append(self.app.open_application(actor, command).id)
                elif step < 0.8 and open_apps[tenant]:
                    app_id = open_apps[tenant].pop(self.rng.randrange(len(open_apps[tenant])))
                    submit = SubmitApplication(submitted_on=date(2026, 4, 17), override_reason="test data")
                    self.app.submit_application(actor, app_id, submit)
                    submitted[tenant].append(app_id)
                elif submitted[tenant]:
                    app_id = submitted[tenant].pop(self.rng.randrange(len(submitted[tenant])))
                    if self.rng.random() < 0.5:
                        deny = DenyApplication(decided_on=date(2026, 4, 28), reason="test")
                        self.app.deny_application(actor, app_id, deny)
                    else:
                        reject = RejectApplication(rejected_on=date(2026, 4, 17), cause="NPPES")
                        self.app.reject_application(actor, app_id, reject)
                        open_apps[tenant].append(app_id)
                time.sleep(self.rng.uniform(0, 0.01))
        except BaseException as error:  # surfaced by the test
            self.error = error


def stored_events(app: Credledger) -> list[Any]:
    """Every event in commit order, decoded: the truth the stream and views must match."""
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)
    mapper = EventMapper(MsgspecTranscoder())  # no key: PII stays sealed, as in the projections
    return [(n.id, mapper.to_domain_event(n)) for n in notifications]


def setup(infra: Infra) -> tuple[str, str, Credledger]:
    database_url = infra.new_database()
    migrate(database_url)
    return database_url, infra.new_namespace(), open_credledger(database_url, MASTER_KEY)


def kill_repeatedly(args: list[str], env: dict[str, str], log: Path, progress: Any, kills: int, seed: int) -> Any:
    """Start the component, and SIGKILL it `kills` times once it has made progress; return the last one."""
    rng = random.Random(seed)
    process = credledger(args, env, log)
    for _ in range(kills):
        before = progress()  # raises if the writer failed: no point waiting
        eventually(lambda before=before: progress() > before, timeout=60)
        time.sleep(rng.uniform(0, 0.2))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process = credledger(args, env, log)
    return process


def stream_count(nats_url: str, stream: str) -> int:
    import asyncio

    import nats

    async def count() -> int:
        nc = await nats.connect(nats_url)
        try:
            return (await nc.jetstream().stream_info(stream)).state.messages
        except Exception:
            return 0
        finally:
            await nc.close()

    return asyncio.run(count())


def consumer_done(nats_url: str, stream: str, durable: str) -> bool:
    """JetStream's own word that every message was delivered and acknowledged."""
    import asyncio

    import nats

    async def check() -> bool:
        nc = await nats.connect(nats_url)
        try:
            info = await nc.jetstream().consumer_info(stream, durable)
            return info.num_pending == 0 and info.num_ack_pending == 0
        finally:
            await nc.close()

    return asyncio.run(check())


def test_relay_killed_mid_stream_loses_and_duplicates_nothing(infra: Infra, tmp_path: Path) -> None:
    database_url, namespace, app = setup(infra)
    writer = Writer(app, commands=400, seed=1)
    writer.start()
    env = process_env(database_url, infra.nats_url, namespace, tmp_path, CREDLEDGER_RELAY_BATCH="5")
    log = tmp_path / "relay.log"
    relay = kill_repeatedly(
        ["relay"], env, log, lambda: writer.check() and stream_count(infra.nats_url, namespace.upper()), 4, seed=2
    )
    writer.more.clear()
    writer.join(timeout=120)
    assert writer.error is None, writer.error
    events = stored_events(app)
    eventually(lambda: stream_count(infra.nats_url, namespace.upper()) >= len(events), timeout=60)
    # The last relay may still be starting (the earlier ones published everything): stopped before Python sets its
    # signal handlers, it would exit 1 on a KeyboardInterrupt raised during start-up. Wait for it to run.
    eventually(lambda: log.read_text().count("relay: publishing") == 5, timeout=60)
    assert stop(relay) == 0, log.read_text()[-3000:]

    import asyncio

    messages = asyncio.run(read_stream(infra.nats_url, namespace.upper()))
    ids = [m.headers["Nats-Msg-Id"] for m in messages]
    assert len(ids) == len(set(ids)), "duplicates in the stream"
    assert ids == [f"{e.originator_id}:{e.originator_version}" for _, e in events], "lost or reordered"
    positions = [int(m.headers["Credledger-Notification-Id"]) for m in messages]
    assert positions == [n for n, _ in events]
    assert app.recorder.max_notification_id() == positions[-1]
    assert log.read_text().count("relay: publishing") == 5  # four kills, five starts


def expected_affiliation_rows(events: list[Any]) -> dict[Any, dict[str, Any]]:
    """The view, computed independently from the stored events."""
    rows: dict[Any, dict[str, Any]] = {}
    app_org: dict[Any, tuple[Any, str]] = {}
    latest: dict[tuple[Any, str], Any] = {}
    for _, e in events:
        if isinstance(e, Organization.Registered):
            rows[e.originator_id] = {
                "posc_registration": "not_started",
                "enrollment": "not_started",
                "events_applied": 1,
            }
            continue
        if isinstance(e, Application.Opened):
            app_org[e.originator_id] = (e.organization_id, str(e.kind))
        org, kind = app_org[e.originator_id]
        row = rows[org]
        row["events_applied"] += 1
        if kind not in ("posc_registration", "enrollment"):
            continue
        if isinstance(e, Application.Opened):
            latest[(org, kind)] = e.originator_id
            row[kind] = "opened"
        elif latest.get((org, kind)) == e.originator_id:
            row[kind] = {Application.Submitted: "submitted", Application.Denied: "denied"}.get(type(e), "rejected")
    return rows


def test_projection_worker_killed_mid_stream_applies_each_event_once(infra: Infra, tmp_path: Path) -> None:
    database_url, namespace, app = setup(infra)
    env = process_env(database_url, infra.nats_url, namespace, tmp_path, CREDLEDGER_PROJECTION_BATCH="5")
    relay = credledger(["relay"], env, tmp_path / "relay.log")
    writer = Writer(app, commands=400, seed=3)
    writer.start()
    log = tmp_path / "project.log"

    def applied() -> int:
        import psycopg

        with psycopg.connect(database_url) as con:
            row = con.execute(
                "SELECT notification_id FROM projection_tracking WHERE projection = 'affiliation_status'"
            ).fetchone()
            return row[0] if row else 0

    worker = kill_repeatedly(["project"], env, log, lambda: writer.check() and applied(), kills=4, seed=4)
    writer.more.clear()
    writer.join(timeout=120)
    assert writer.error is None, writer.error
    events = stored_events(app)
    durable = f"{namespace}_affiliation_status"
    eventually(
        lambda: applied() >= events[-1][0] and consumer_done(infra.nats_url, namespace.upper(), durable), timeout=90
    )
    assert stop(worker) == 0, log.read_text()[-3000:]
    assert stop(relay) == 0

    import psycopg

    with psycopg.connect(database_url) as con:
        actual = {
            r[0]: {"posc_registration": r[1], "enrollment": r[2], "events_applied": r[3]}
            for r in con.execute(
                "SELECT organization_id, posc_registration, enrollment, events_applied FROM affiliation_status"
            )
        }
        versions = dict(
            con.execute(
                "SELECT originator_id, version FROM projection_versions WHERE projection = 'affiliation_status'"
            )
        )
    assert actual == expected_affiliation_rows(events)
    last_version: dict[Any, int] = {}
    for _, e in events:
        last_version[e.originator_id] = e.originator_version
    assert versions == last_version
    assert log.read_text().count("projection affiliation_status: consuming") == 5
