"""Fixtures. With DATABASE_URL / NATS_URL set the tests use those servers; otherwise they start
embedded PostgreSQL and nats-server from the pip wheels, exactly as `credledger up` does."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from services.embedded import EmbeddedNats, EmbeddedPostgres
from tests.support import Infra, Stack, start_stack, stop

# The suites, by where a test lives (pyproject.toml registers them; `pytest -m domain` runs the fast part alone).
_SUITES = {"domain": "domain", "api": "api", "contract": "contract", "browser": "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its suite: ``domain`` (pure: no database or NATS, whatever its folder), ``api``
    (HTTP against a running `credledger up`), ``contract``, ``browser``, ``faults`` (marked in its file),
    and ``integration`` for the rest (the store, relay, workers and commands on real servers)."""
    for item in items:
        folder = item.path.parent.name
        if "infra" not in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.domain)
        elif folder in _SUITES:
            item.add_marker(getattr(pytest.mark, _SUITES[folder]))
        elif item.get_closest_marker("faults") is None:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    started = []
    admin_url = os.environ.get("DATABASE_URL")
    nats_url = os.environ.get("NATS_URL")
    if not admin_url:
        pg = EmbeddedPostgres(tmp_path_factory.mktemp("embedded-postgres"))
        admin_url = pg.start()
        started.append(pg)
    if not nats_url:
        server = EmbeddedNats(tmp_path_factory.mktemp("embedded-nats"))
        nats_url = server.start()
        started.append(server)
    infra = Infra(admin_url=admin_url, nats_url=nats_url)
    try:
        yield infra
    finally:
        infra.cleanup()
        for server in reversed(started):
            server.stop()


@pytest.fixture(scope="session")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One `credledger up` for the API tests; stopped with SIGINT like Ctrl-C."""
    running = start_stack(infra, tmp_path_factory.mktemp("stack"))
    yield running
    code = stop(running.process)
    log = running.log.read_text()
    assert code == 0, f"credledger up did not stop cleanly ({code}):\n{log[-4000:]}"
    assert "Fatal Python error" not in log, log[-4000:]  # e.g. a daemon thread holding stdin at exit


@pytest.fixture
def tenants() -> tuple[str, str]:
    """Two fresh tenant ids, so tests never see each other's data."""
    import uuid

    return ("firm-a-" + uuid.uuid4().hex[:8], "firm-b-" + uuid.uuid4().hex[:8])
