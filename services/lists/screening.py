"""Re-screening every practice of every firm against an exclusion list's edition: what `credledger lists screen`
runs when a new edition arrives (the lists are monthly; 42 CFR 455.436 asks for a monthly check). The edition's
rows are looked up here, by NPI and name key, for the use case (services/app/list_screening.py) to judge."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import psycopg

from domain.errors import DomainError
from domain.list_matching import ListedEntry, ScreenedSubject
from domain.screening import DEFAULT_SCREENING_INTERVAL_DAYS, ExclusionSource, ScreeningResult
from services.app import Actor, Credledger
from services.app.list_screening import EditionRef, Lookup
from services.store.recorder import EVENTS_TABLE

SCREENER = "exclusion-list-screening"  # the actor recorded: the monthly run, not a person
_PRACTICES = "domain.organization:Organization.Registered"
_CLINICIANS = "domain.practitioner:Practitioner.Registered"


@dataclass
class RunTotals:
    organizations: int = 0
    practitioners: int = 0
    subjects: int = 0
    recorded: int = 0
    results: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # "tenant record-id: rule" of each record a rule refused


def edition_ref(database_url: str, edition_id: UUID) -> EditionRef | None:
    with psycopg.connect(database_url) as con:
        row = con.execute(
            "SELECT source, file_date FROM exclusion_list_editions WHERE edition_id = %s", (edition_id,)
        ).fetchone()
    return None if row is None else EditionRef(edition_id, ExclusionSource(row[0]), row[1])


def lookup_in(con: psycopg.Connection, edition_id: UUID) -> Lookup:
    """The edition's entries that share an NPI or a name key with any of the subjects."""

    def lookup(subjects: Sequence[ScreenedSubject]) -> list[ListedEntry]:
        npis = [s.npi for s in subjects if s.npi]
        keys = [s.name_key for s in subjects]
        rows = con.execute(
            "SELECT line, entity, name_key, npi, dob_digest, state, excluded_on, ends_on, reinstated_on, waiver_on "
            "FROM exclusion_list_entries WHERE edition_id = %s AND (npi = ANY(%s) OR name_key = ANY(%s))",
            (edition_id, npis, keys),
        ).fetchall()
        return [ListedEntry(*row) for row in rows]

    return lookup


def registered(database_url: str, topic: str, tenant: str | None = None) -> list[tuple[str, UUID]]:
    """Every firm's records of a kind (tenant, id), from their registrations in the store."""
    with psycopg.connect(database_url) as con:
        return con.execute(
            f"SELECT tenant_id, originator_id FROM {EVENTS_TABLE} WHERE topic = %s AND originator_version = 1 "
            "AND (%s::text IS NULL OR tenant_id = %s) ORDER BY tenant_id, notification_id",
            (topic, tenant, tenant),
        ).fetchall()


def screening_interval(con: psycopg.Connection, tenant_id: str) -> int:
    """The firm's screening interval in days (tenant_settings), else the default. Named by tenant as well as under
    its row-level security: an owner or superuser connection is not held by the policy."""
    con.execute("SELECT set_config('app.tenant_id', %s, false)", (tenant_id,))
    row = con.execute(
        "SELECT screening_interval_days FROM tenant_settings WHERE tenant_id = %s", (tenant_id,)
    ).fetchone()
    return row[0] if row is not None and row[0] is not None else DEFAULT_SCREENING_INTERVAL_DAYS


def rescreen(
    app: Credledger,
    database_url: str,
    edition: EditionRef,
    on: date,
    dob_key: bytes,
    tenant: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    user: str = SCREENER,
) -> RunTotals:
    """Screen every practice (of one firm, or all), the people it disclosed and every clinician against the edition
    on day ``on``."""
    practices, clinicians = registered(database_url, _PRACTICES, tenant), registered(database_url, _CLINICIANS, tenant)
    totals = RunTotals()
    with psycopg.connect(database_url, autocommit=True) as con:
        lookup = lookup_in(con, edition.edition_id)
        intervals: dict[str, int] = {}
        for done, (tenant_id, record_id) in enumerate([*practices, *clinicians], 1):
            actor = Actor(tenant_id, user, "specialist")
            if tenant_id not in intervals:
                intervals[tenant_id] = screening_interval(con, tenant_id)
            days = intervals[tenant_id]
            try:  # one record refused (e.g. a later screening already recorded) stops no other
                if done <= len(practices):
                    outcomes = app.screen_against_edition(actor, record_id, edition, on, lookup, days)
                    totals.organizations += 1
                else:
                    outcomes = [
                        app.screen_practitioner_against_edition(actor, record_id, edition, on, lookup, dob_key, days)
                    ]
                    totals.practitioners += 1
            except DomainError as error:
                totals.refused.append(f"{tenant_id} {record_id}: {getattr(error, 'rule', type(error).__name__)}")
                continue
            for outcome in outcomes:
                totals.subjects += 1
                totals.recorded += outcome.recorded
                totals.results[outcome.result] = totals.results.get(outcome.result, 0) + 1
            if progress is not None:
                progress(done, len(practices) + len(clinicians))
    return totals


__all__ = ["RunTotals", "ScreeningResult", "edition_ref", "lookup_in", "registered", "rescreen"]
