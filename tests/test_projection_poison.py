"""A message the projection cannot apply is kept for a retry and does not stop the others."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import psycopg
import pytest

from services.app import Actor
from services.subjects import ensure_stream
from tests.support import Infra, credledger, eventually, process_env, stop
from tests.test_recovery import organization, setup

pytestmark = pytest.mark.timeout(120)


async def _publish_poison(nats_url: str, namespace: str) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_stream(js, namespace)
    # No credledger headers, not JSON: nothing can decode this.
    await js.publish(f"{namespace}.someone.organization.registered", b"\x00not an event")
    await nc.close()


def test_poison_message_does_not_stop_the_projection(infra: Infra, tmp_path: Path) -> None:
    database_url, namespace, app = setup(infra)
    env = process_env(database_url, infra.nats_url, namespace, tmp_path)
    asyncio.run(_publish_poison(infra.nats_url, namespace))
    relay = credledger(["relay"], env, tmp_path / "relay.log")
    worker = credledger(["project"], env, tmp_path / "project.log")
    try:
        saved = app.register_organization(Actor("poison-t", "u", "specialist"), **organization("After The Poison"))

        def applied() -> bool:
            with psycopg.connect(database_url) as con:
                return bool(
                    con.execute("SELECT 1 FROM affiliation_status WHERE organization_id = %s", (saved.id,)).fetchone()
                )

        eventually(applied, timeout=30)
        eventually(lambda: "cannot apply stream message 1" in (tmp_path / "project.log").read_text(), timeout=30)
    finally:
        assert stop(worker) == 0
        assert stop(relay) == 0
    assert "Traceback" not in (tmp_path / "project.log").read_text()
