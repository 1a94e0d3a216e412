"""The views survive events stored with unclean text (issue 11, finding 1): stores written before the domain
refused such text exist, and events are immutable. A NUL in a legal name used to park the event live
(PostgreSQL text cannot hold U+0000), leave /health/ready degraded and fail every `credledger rebuild`.

The poisoned events are stored through the application layer with the domain's text rule switched off (as
it was before it existed); then the live worker applies them, a rebuild succeeds and equals the live views,
nothing is parked, and the views show the text escaped (projections/engine/view_text.py)."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import pytest

import domain.text
from domain.address import Address
from domain.affiliation import AffiliationState, PlanKind
from domain.dossier import Document, DocumentType
from domain.errors import InvalidValue
from domain.taxonomy import TaxonomySelection
from projections.engine.view_text import view_event
from services.app import Actor
from services.app.application_commands import OpenApplication
from services.app.commands import AddressIn
from services.app.organization_commands import MoveAffiliation, RequestAffiliation
from services.app.user_account_commands import OpenUserAccount
from tests.domain.builders import SUBMITTED_ON, document, open_application, peach_snapshot, register_peach
from tests.mixed_workload import organization
from tests.support import Infra, credledger, eventually, process_env, stop
from tests.test_rebuild import assert_same_views, rebuild
from tests.test_recovery import setup
from tests.view_state import lagging, view_rows

pytestmark = pytest.mark.timeout(240)
POISONED, CLEAN = "poison-a", "poison-b"

# --- the escaping itself, on events in memory ----------------------------------------------------------------


def _poisoned(event: Any, **fields: Any) -> Any:
    """A copy of a (frozen) event with some fields replaced, as a store written before the rule may hold it."""
    event = copy.copy(event)
    for name, value in fields.items():
        object.__setattr__(event, name, value)
    return event


def test_a_clean_event_reaches_the_handlers_as_it_is() -> None:
    event = register_peach(reason="line one\n\tline two").pending_events[0]
    assert view_event(event) is event


def test_unclean_text_reaches_the_handlers_escaped_however_deeply_nested() -> None:
    event = register_peach().pending_events[0]
    address = Address("1 Main\x00St", "Boston", "MA", "02108", line2="Ste\x85 2")
    poisoned = _poisoned(
        event,
        legal_name="Evil\x00Clinic",
        practice_address=address,
        taxonomies=[TaxonomySelection("19320000\x7fX", True)],
        reason="why\ufffe\n",
    )
    seen = view_event(poisoned)
    assert seen is not poisoned and type(seen) is type(poisoned)
    assert seen.legal_name == "Evil\\u0000Clinic"
    assert seen.practice_address == Address("1 Main\\u0000St", "Boston", "MA", "02108", line2="Ste\\u0085 2")
    assert seen.taxonomies == [TaxonomySelection("19320000\\u007fX", True)]
    assert seen.reason == "why\\ufffe\n"  # line feed and tab are clean in a multi-line text
    assert (seen.npi, seen.tenant_id, seen.originator_id) == (event.npi, event.tenant_id, event.originator_id)
    assert poisoned.legal_name == "Evil\x00Clinic"  # the stored event is not changed, only what views see


def test_records_lists_and_mappings_are_escaped_too() -> None:
    organization = register_peach()
    organization.record_nppes_snapshot(peach_snapshot(), actor="u")
    recorded = organization.pending_events[1]
    snapshot = replace(recorded.snapshot, name="N\x00", taxonomies=(TaxonomySelection("X\x01", True),))
    seen = view_event(_poisoned(recorded, snapshot=snapshot))
    assert seen.snapshot.name == "N\\u0000" and seen.snapshot.taxonomies == (TaxonomySelection("X\\u0001", True),)
    assert seen.snapshot.location_address == recorded.snapshot.location_address

    application = open_application()
    application.attach_document(document(DocumentType.W9), actor="u")
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=["legal_name"], override_reason="ok", actor="u")
    attached, submitted = application.pending_events[1:3]
    seen = view_event(_poisoned(attached, document=Document("doc\x00", DocumentType.W9, date(2026, 1, 1))))
    assert seen.document.document_id == "doc\\u0000"
    assert view_event(_poisoned(submitted, overridden_mismatches=["a\x9f"])).overridden_mismatches == ["a\\u009f"]
    # Whatever shape a text field holds: mappings too, keys and values.
    assert view_event(_poisoned(submitted, reason={"k\x00": ["v", 3]})).reason == {"k\\u0000": ["v", 3]}


# --- a real store, the live worker and a rebuild --------------------------------------------------------------


def switch_the_rule_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """The domain's text rule as it was before it existed: every text passes (the one test domain/text.py
    makes). Only this process's domain is changed: the relay, the worker and the rebuild run in their own
    processes, and projections/engine/view_text.py holds its own reference anyway. ``monkeypatch.undo()``
    restores it."""
    monkeypatch.setattr(domain.text, "first_refused", lambda value, multiline=False: None)


def _rows(database_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as con:
        return con.execute(query, params).fetchall()


def _caught_up(database_url: str) -> bool:
    """Every view has applied every stored event; a parked event fails at once (it would never catch up)."""
    parked = _rows(database_url, "SELECT projection, originator_version, error FROM parked_events")
    assert not parked, f"parked: {parked}"
    return lagging(database_url) == 0


def test_views_survive_stored_events_with_unclean_text(
    infra: Infra, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url, namespace, app = setup(infra)
    switch_the_rule_off(monkeypatch)
    writer, other = Actor(POISONED, "writer", "specialist"), Actor(CLEAN, "writer", "specialist")
    evil = msgspec.structs.replace(
        organization("Evil\x00Clinic"),
        provider_type="group\x00practice",
        practice_address=AddressIn(line1="1 Main\x00St", city="Pittsfield", state="MA", postal_code="01201"),
    )
    org = app.register_organization(writer, evil).id
    app.open_user_account(
        writer, OpenUserAccount(organization_id=org, person_name="Dana\x00Reyes\x85\ufffe", role="primary")
    )
    partner = OpenUserAccount(
        organization_id=org,
        person_name="Bill Agent",
        role="business_partner",
        partner_firm="Acme\x00Billing",
        partner_function="claims\x7f",
    )
    app.open_user_account(writer, partner)
    app.open_application(
        writer, OpenApplication(organization_id=org, kind="mco_affiliation", channel="fax", plan="Poison\x00Plan")
    )
    request = RequestAffiliation(
        kind=PlanKind.MCO, plan="Poison\x00Plan", partner_mco=None, on=date(2026, 4, 1), reason="x\x00"
    )
    app.request_affiliation(writer, org, request)
    clean_org = app.register_organization(other, organization("Clean Clinic")).id
    monkeypatch.undo()  # the rule is back: from here on, only what was stored before it is unclean

    env = process_env(database_url, infra.nats_url, namespace, tmp_path)
    relay = credledger(["relay"], env, tmp_path / "relay.log")
    log = tmp_path / "project.log"
    worker = credledger(["project"], env, log)
    try:
        eventually(lambda: _caught_up(database_url), timeout=90)
        # A later event names the unclean plan: the live worker reads the organization's row back from the
        # table (its affiliations keyed by the escaped name) and must find it with the event's escaped text.
        move = MoveAffiliation(plan="Poison\x00Plan", to=AffiliationState.IN_CREDENTIALING, on=date(2026, 4, 2))
        with pytest.raises(InvalidValue):  # the rule refuses it now...
            app.move_affiliation(writer, org, move)
        switch_the_rule_off(monkeypatch)
        app.move_affiliation(writer, org, move)  # ...so it is stored as an old store holds it
        monkeypatch.undo()
        eventually(lambda: _caught_up(database_url), timeout=90)
        live = view_rows(database_url)
    finally:
        assert stop(worker) == 0, log.read_text()[-3000:]
        assert stop(relay) == 0
    worker_log = log.read_text()
    assert "ALERT" not in worker_log and "Traceback" not in worker_log, worker_log[-3000:]
    assert _rows(database_url, "SELECT count(*) FROM parked_events") == [(0,)]

    # What the views show: the text escaped, every view, every kind of character.
    status = _rows(
        database_url, "SELECT legal_name, affiliations FROM affiliation_status WHERE organization_id = %s", org
    )
    assert status[0][0] == "Evil\\u0000Clinic"
    assert status[0][1]["Poison\\u0000Plan"]["state"] == "in_credentialing"
    accounts = _rows(
        database_url,
        "SELECT person_name, partner_firm, partner_function FROM access_audit_accounts WHERE organization_id = %s "
        "ORDER BY person_name",
        org,
    )
    assert accounts == [
        ("Bill Agent", "Acme\\u0000Billing", "claims\\u007f"),
        ("Dana\\u0000Reyes\\u0085\\ufffe", None, None),
    ]
    assert _rows(database_url, "SELECT legal_name FROM access_audit_organizations WHERE organization_id = %s", org) == [
        ("Evil\\u0000Clinic",)
    ]
    assert _rows(
        database_url, "SELECT provider_type FROM turnaround_organizations WHERE organization_id = %s", org
    ) == [("group\\u0000practice",)]
    assert _rows(database_url, "SELECT plan FROM turnaround_applications WHERE organization_id = %s", org) == [
        ("Poison\\u0000Plan",)
    ]
    assert _rows(database_url, "SELECT legal_name FROM affiliation_status WHERE organization_id = %s", clean_org) == [
        ("Clean Clinic",)
    ]

    # A rebuild from the store succeeds, for every tenant, and equals what the live worker built.
    done = rebuild(env)
    assert done.returncode == 0, done.stderr
    assert_same_views(live, view_rows(database_url))
    assert _rows(database_url, "SELECT count(*) FROM parked_events") == [(0,)]
