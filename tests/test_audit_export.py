"""Audit export: `credledger export` writes one tenant's events over a range of days (Massachusetts days),
its views as of the last day and a manifest, in one tar file; `credledger verify BUNDLE` checks it with no
database, and fails when any byte of it changes. The same bundle comes from GET /v1/exports for auditors."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent
from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.testing import TestClient

from domain.business_time import effective_day
from services.api.audit_export_api import export_audit_bundle
from services.api.auth import BearerAuth, issue_token
from services.api.dependencies import DEPENDENCIES
from services.api.problems import HANDLERS
from services.audit.verify import verify_bundle
from services.composition import open_credledger
from services.migrate import migrate
from services.store.chain import GENESIS
from services.store.transcoder import EventMapper, MsgspecTranscoder
from tests.mixed_workload import MixedWorkload
from tests.support import JWT_SECRET, MASTER_KEY, Infra
from tests.test_chain import cli, copy_database, sql

pytestmark = pytest.mark.timeout(300)
A, B = "export-a", "export-b"
MA = ZoneInfo("America/New_York")
DAY1, DAY2, DAY3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
TIN = "04-3219876"  # every workload organization's TIN: must never appear in clear


class Clock:
    """Event timestamps on chosen days: each call a millisecond after the previous one."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))

    def set(self, moment: datetime) -> None:
        self.now = moment

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now.astimezone(ZoneInfo("UTC"))


@pytest.fixture(scope="module")
def store(infra: Infra) -> Iterator[str]:
    """Two tenants' workload over three days; the edges of day 2 are Massachusetts midnights."""
    url = infra.new_database()
    migrate(url)
    clock = Clock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("eventsourcing.domain.datetime_now_with_tzinfo", clock)
        app = open_credledger(url, MASTER_KEY)
        try:
            workload = MixedWorkload(app, (A, B), seed=5)
            # Each phase's facts start on the day given (the workload moves on to the clock's day as it goes), so
            # every day records facts of the day before, late, as well as its own.
            for moment, first_fact_day, commands in (
                (datetime(2026, 3, 2, 9, tzinfo=MA), date(2026, 2, 27), 60),
                (datetime(2026, 3, 2, 23, 59, 59, tzinfo=MA), DAY1, 70),  # 04:59 UTC on day 2: still day 1
                (datetime(2026, 3, 3, 0, 0, tzinfo=MA), DAY1, 150),
                (datetime(2026, 3, 3, 23, 59, 59, tzinfo=MA), DAY2, 160),
                (datetime(2026, 3, 4, 0, 0, 0, tzinfo=MA), DAY2, 220),  # day 3
            ):
                clock.set(moment)
                workload.day = first_fact_day
                workload.run(commands)
        finally:
            app.close()
    yield url


def stored(url: str, tenant: str) -> list[dict[str, Any]]:
    """The tenant's events with the day each was recorded and the day it took effect (Massachusetts days)."""
    rows = sql(
        url,
        "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, c.link "
        "FROM credledger_events e JOIN event_chain c USING (notification_id) WHERE e.tenant_id = %s ORDER BY 1",
        tenant,
    )
    mapper = EventMapper(MsgspecTranscoder())
    return [
        {
            "nid": nid,
            "originator": originator,
            "topic": topic,
            "day": datetime.fromisoformat(msgspec.json.decode(bytes(state))["timestamp"]).astimezone(MA).date(),
            "effective": effective_day(mapper.to_domain_event(StoredEvent(originator, version, topic, bytes(state)))),
            "link": bytes(link).hex(),
        }
        for nid, originator, version, topic, state, link in rows
    ]


def in_range(events: list[dict[str, Any]], first: date, last: date) -> list[dict[str, Any]]:
    """The stretch of the chain an export of the range holds: from the first event recorded or effective in it to
    the last one (a fact recorded late brings the events recorded between with it)."""
    wanted = [e["nid"] for e in events if first <= e["day"] <= last or first <= e["effective"] <= last]
    return [e for e in events if wanted and wanted[0] <= e["nid"] <= wanted[-1]]


def members(bundle: Path) -> dict[str, bytes]:
    with tarfile.open(bundle) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def export(url: str, tmp: Path, tenant: str, first: date, last: date) -> tuple[Any, Path]:
    out = tmp / f"{tenant}-{first}-{last}.tar"
    result = cli(
        "export",
        "--tenant",
        tenant,
        "--from",
        str(first),
        "--to",
        str(last),
        "--out",
        str(out),
        database_url=url,
        tmp=tmp,
    )
    return result, out


def test_a_days_bundle_holds_that_days_events_and_the_views_as_of_its_end_and_verifies_offline(
    store: str, tmp_path: Path
) -> None:
    result, bundle = export(store, tmp_path, A, DAY2, DAY2)
    assert result.returncode == 0, result.stdout + result.stderr
    events = stored(store, A)
    day2 = in_range(events, DAY2, DAY2)
    before = [e for e in events if e["nid"] < day2[0]["nid"]]
    assert day2 and before and any(e["nid"] > day2[-1]["nid"] for e in events)
    # A fact of day 2 recorded on day 3 is in it (and brings what was recorded between with it).
    assert any(e["day"] > DAY2 and e["effective"] == DAY2 for e in day2)
    assert all(e["day"] == DAY2 or e["effective"] == DAY2 for e in (day2[0], day2[-1]))

    files = members(bundle)
    manifest = msgspec.json.decode(files["manifest.json"])
    assert list(files) == ["manifest.json", *sorted(manifest["files"])]
    lines = [msgspec.json.decode(line) for line in files["events.jsonl"].splitlines()]
    assert [line["notification_id"] for line in lines] == [e["nid"] for e in day2]  # A's only, none of B's
    assert manifest["tenant"] == A and manifest["files"]["events.jsonl"]["count"] == len(day2)
    assert manifest["chain"]["prev_link"] == before[-1]["link"]
    assert manifest["chain"]["head_link"] == day2[-1]["link"] == lines[-1]["link"]
    assert manifest["chain"]["store_head"]["link"] == events[-1]["link"]

    # The views as of the end of day 2: the organizations registered by then (their business day), and only A's.
    registered = {str(e["originator"]) for e in events if e["topic"].endswith("Organization.Registered")}
    by_day2 = {
        str(e["originator"])
        for e in events
        if e["topic"].endswith("Organization.Registered") and e["effective"] <= DAY2
    }
    view = [msgspec.json.decode(line) for line in files["views/affiliation_status.jsonl"].splitlines()]
    assert {row["organization_id"] for row in view} == by_day2 != registered
    assert all(row["tenant_id"] == A for name in files if name.startswith("views/") for row in _rows(files[name]))

    # PII stays sealed in the bundle, as in the store.
    everything = b"".join(files.values())
    assert TIN.encode() not in everything and b"pii:v1:" in everything

    # Offline: no DATABASE_URL at all.
    checked = cli("verify", str(bundle), database_url=None, tmp=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "bundle verified" in checked.stdout


def _rows(data: bytes) -> list[dict[str, Any]]:
    return [msgspec.json.decode(line) for line in data.splitlines()]


def test_changing_any_byte_of_a_bundle_fails_its_verification(store: str, tmp_path: Path) -> None:
    result, bundle = export(store, tmp_path, A, DAY1, DAY3)
    assert result.returncode == 0, result.stdout + result.stderr
    original = bundle.read_bytes()
    assert verify_bundle(bundle).ok
    positions = set(range(0, len(original), 41))  # headers, contents, padding, the end-of-archive blocks
    with tarfile.open(bundle) as tar:
        for m in tar.getmembers():  # every header's first and last byte, each content's first and last
            positions |= {m.offset, m.offset + 511, m.offset_data, m.offset_data + m.size - 1}
    positions |= {len(original) - 1}
    flipped = tmp_path / "flipped.tar"
    passed = []
    for position in sorted(positions):
        changed = bytearray(original)
        changed[position] ^= 0x01
        flipped.write_bytes(changed)
        if verify_bundle(flipped).ok:
            passed.append(position)
    assert not passed, f"a bundle with one byte changed at {passed[:10]} still verified"
    for changed in (original[:-1], original + b"\0", original[:-512]):
        flipped.write_bytes(changed)
        assert not verify_bundle(flipped).ok

    # Through the command: exit 1, naming the event whose content was changed.
    with tarfile.open(bundle) as tar:
        events = tar.getmember("events.jsonl")
        content = tar.extractfile(events).read()  # type: ignore[union-attr]
    line = next(line for line in content.splitlines(keepends=True) if b"legal_name" in line)
    nid = msgspec.json.decode(line)["notification_id"]
    # Inside that event's stored state, so the line stays valid JSON: 'g' of legal_name -> 'G'.
    at = events.offset_data + content.index(line) + line.index(b"legal_name") + 2
    changed = bytearray(original)
    changed[at] ^= 0x20
    flipped.write_bytes(changed)
    checked = cli("verify", str(flipped), database_url=None, tmp=tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"chain broken at notification {nid} " in checked.stdout and "content changed" in checked.stdout


def test_ranges_with_no_events_anchor_the_chain_where_it_stands(store: str, tmp_path: Path) -> None:
    events = stored(store, A)
    for first, last, anchor in (
        (date(2025, 12, 1), date(2026, 1, 4), GENESIS.hex()),  # before the first event's day (2026-01-05)
        (date(2026, 3, 5), date(2026, 3, 9), events[-1]["link"]),  # after the last
    ):
        result, bundle = export(store, tmp_path, A, first, last)
        assert result.returncode == 0, result.stdout + result.stderr
        manifest = msgspec.json.decode(members(bundle)["manifest.json"])
        assert manifest["files"]["events.jsonl"]["count"] == 0
        assert manifest["chain"]["prev_link"] == manifest["chain"]["head_link"] == anchor
        assert verify_bundle(bundle).ok


def test_an_export_over_a_tampered_store_fails_and_writes_nothing(infra: Infra, store: str, tmp_path: Path) -> None:
    copy = copy_database(infra, store)
    target = next(e for e in stored(copy, A) if e["day"] == DAY2)
    sql(copy, "UPDATE credledger_events SET actor_role = 'viewer' WHERE notification_id = %s", target["nid"])
    result, bundle = export(copy, tmp_path, A, DAY1, DAY2)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"notification {target['nid']} (originator {target['originator']} " in result.stderr
    assert not bundle.exists()
    # The other tenant's export is unaffected.
    result, bundle = export(copy, tmp_path, B, DAY1, DAY2)
    assert result.returncode == 0 and verify_bundle(bundle).ok


def test_a_bundle_still_verifies_after_the_tenants_key_is_destroyed(infra: Infra, store: str, tmp_path: Path) -> None:
    copy = copy_database(infra, store)
    sql(copy, "UPDATE tenant_keys SET wrapped_key = NULL, destroyed_at = now() WHERE tenant_id = %s", A)
    result, bundle = export(copy, tmp_path, A, DAY1, DAY3)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verify_bundle(bundle).ok
    assert cli("verify", database_url=copy, tmp=tmp_path).returncode == 0


@pytest.fixture(scope="module")
def api(store: str) -> Iterator[TestClient]:
    credledger = open_credledger(store, MASTER_KEY)
    app = Litestar(
        route_handlers=[export_audit_bundle],
        dependencies=DEPENDENCIES,
        state=State({"jwt_secret": JWT_SECRET, "credledger": credledger}),
        middleware=[DefineMiddleware(BearerAuth)],
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
    )
    with TestClient(app) as client:
        yield client
    credledger.close()


def _get(api: TestClient, tenant: str, role: str, **params: str) -> Any:
    token = issue_token(JWT_SECRET, tenant=tenant, role=role, user="sam")
    return api.get("/v1/exports", params=params, headers={"Authorization": f"Bearer {token}"})


def test_auditors_and_firm_admins_download_their_own_tenants_bundle(api: TestClient, tmp_path: Path) -> None:
    for tenant, role in ((A, "auditor"), (B, "firm_admin")):
        response = _get(api, tenant, role, **{"from": str(DAY1), "to": str(DAY2)})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/x-tar")
        assert f"credledger-audit-{tenant}-{DAY1}-{DAY2}.tar" in response.headers["content-disposition"]
        bundle = tmp_path / f"{tenant}.tar"
        bundle.write_bytes(response.content)
        report = verify_bundle(bundle)
        assert report.ok, report.problems
        assert report.manifest and report.manifest["tenant"] == tenant and report.events > 0
        with tarfile.open(fileobj=io.BytesIO(response.content)) as tar:
            lines = tar.extractfile("events.jsonl").read().splitlines()  # type: ignore[union-attr]
        assert {UUID(msgspec.json.decode(line)["originator_id"]) for line in lines} <= {
            e["originator"] for e in stored(api.app.state.credledger.env.get("CREDLEDGER_DATABASE_URL"), tenant)
        }


def test_other_roles_and_bad_ranges_get_problems(api: TestClient) -> None:
    for role in ("viewer", "specialist", "client_viewer"):
        response = _get(api, A, role, **{"from": str(DAY1), "to": str(DAY2)})
        assert response.status_code == 403, (role, response.text)
    tomorrow = datetime.now(MA).date() + timedelta(days=1)  # a day whose views do not exist yet
    for params in (
        {"from": str(DAY2), "to": str(DAY1)},
        {"from": "2026-02-30", "to": str(DAY1)},
        {"to": str(DAY1)},
        {"from": str(DAY1), "to": str(tomorrow)},
        {"from": str(DAY1), "to": "9999-12-31"},
        {"from": "0001-01-01", "to": str(DAY1)},
    ):
        response = _get(api, A, "auditor", **params)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
