"""The embedded PostgreSQL and nats-server start, serve, stop and restart."""

import asyncio

import nats
import psutil
import psycopg
import pytest
from nats.js.api import StorageType, StreamConfig

from services.embedded import EmbeddedNats, EmbeddedPostgres, free_port

pytestmark = pytest.mark.timeout(120)


def _gone(pid: int) -> bool:
    return not psutil.pid_exists(pid)


async def _nats_roundtrip(url: str) -> int:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="EMBTEST", subjects=["embtest.>"], storage=StorageType.FILE))
        ack = await js.publish("embtest.hello", b"hi")
        return ack.seq
    finally:
        await nc.close()


def test_postgres_and_nats_start_stop_restart(tmp_path):
    pg = EmbeddedPostgres(tmp_path)
    nats_server = EmbeddedNats(tmp_path)
    try:
        dsn = pg.start()
        url = nats_server.start()
        assert dsn == pg.dsn and dsn.startswith("postgresql://postgres@127.0.0.1:")
        assert url == nats_server.url and url.startswith("nats://127.0.0.1:")

        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("show max_connections").fetchone() == ("200",)
            conn.execute("create table ledger (id int primary key, note text)")
            conn.execute("insert into ledger values (1, 'persisted')")

        assert asyncio.run(_nats_roundtrip(url)) == 1
    finally:
        pg_pid, nats_pid = pg.pid, nats_server.pid
        pg.stop()
        nats_server.stop()

    assert pg_pid is not None and _gone(pg_pid)
    assert nats_pid is not None and _gone(nats_pid)
    pg.stop()  # idempotent
    nats_server.stop()
    assert (tmp_path / "postgres.log").exists() and (tmp_path / "nats.log").exists()

    # Same data dir again, on a fixed port this time: the table must survive.
    port = free_port()
    with EmbeddedPostgres(tmp_path, port=port) as pg2:
        assert pg2.dsn == f"postgresql://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(pg2.dsn) as conn:
            assert conn.execute("select note from ledger where id = 1").fetchone() == ("persisted",)
        pid2 = pg2.pid
    assert _gone(pid2)


def test_second_postgres_on_same_data_dir_is_refused(tmp_path):
    with EmbeddedPostgres(tmp_path) as pg:
        with pytest.raises(RuntimeError, match="already running"):
            EmbeddedPostgres(tmp_path).start()
        # The refused attempt must not have disturbed the running server.
        with psycopg.connect(pg.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
