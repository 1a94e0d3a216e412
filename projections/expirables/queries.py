"""The expirables view's answers: every credential in effect on a business day, its due date, its window and its
severity, filtered, sorted and paged.

The projection (handlers.py) stores facts only: fixed expiry dates, and the day a cycle counts from. What depends
on the tenant's settings or on the day asked about is computed here, in the caller's read-only transaction:

- the due date of a cycle: CAQH re-attestation every 120 days, MassHealth revalidation every 5 years (60 months),
  plan re-credentialing every 36 months (NCQA), each a tenant setting (tenant_settings.credential_cycles);
- the window, counted in calendar days from the day asked about (credentials expire on calendar dates): overdue
  (the due date has passed), 30, 60, 90 (due within so many days) or later;
- the severity, as the access audit ranks findings: critical when the credential has lapsed (overdue, or a
  license the board does not show as practising) and an enrollment depends on it on that day (the practice's own
  MassHealth enrollment; for a clinician, an enrolled practice it renders for that day), high when lapsed without
  one, medium when due within 30 days.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from msgspec import Meta

from projections.engine.paging import KeysetPage

# Cycle lengths: the ONE place for the defaults. A tenant overrides them in tenant_settings.credential_cycles.
DEFAULT_CYCLES: dict[str, int] = {
    "caqh_reattestation_days": 120,  # CAQH asks providers to re-attest every 120 days
    "masshealth_revalidation_months": 60,  # MassHealth revalidates every five years
    "plan_recredentialing_months": 36,  # NCQA: plans re-credential every 36 months
}


class ExpirableKind(StrEnum):
    LICENSE = "license"
    DEA = "dea"
    BOARD_CERTIFICATION = "board_certification"
    MALPRACTICE = "malpractice"
    CAQH_ATTESTATION = "caqh_attestation"
    DOCUMENT = "document"  # a practice's expiring dossier document (license, COI, DEA certificate)
    MASSHEALTH_REVALIDATION = "masshealth_revalidation"
    REVALIDATION_RESPONSE = "revalidation_response"  # the answer to MassHealth's revalidation letter
    PLAN_RECREDENTIALING = "plan_recredentialing"


class Window(StrEnum):
    OVERDUE = "overdue"
    DAYS_30 = "30"
    DAYS_60 = "60"
    DAYS_90 = "90"
    LATER = "later"


class Expirable(msgspec.Struct, kw_only=True):
    period_id: UUID
    organization_id: UUID  # the client practice
    subject_kind: str  # practitioner or organization
    subject_id: UUID  # the practitioner's id, or the organization's
    subject_name: str
    npi: str
    credential: str  # its key: license:MA:MD, dea:MA, caqh, masshealth_revalidation, recredentialing:<plan>, ...
    kind: ExpirableKind
    label: str
    status: str | None  # a license's status as the board shows it
    due_on: Annotated[date, Meta(description="The expiry, or the cycle's next due date (settings applied)")]
    days_left: Annotated[int, Meta(description="Calendar days from the day asked about to due_on (negative: past)")]
    window: Window
    lapsed: Annotated[bool, Meta(description="Past due_on, or a license the board does not show as practising")]
    enrollment_depends: Annotated[
        bool,
        Meta(
            description="An enrollment in effect that day rests on it: the practice's own, or, for a clinician, an "
            "enrolled practice it renders for"
        ),
    ]
    severity: Annotated[
        str | None,
        Meta(
            description="critical (lapsed, an enrollment depends on it), high (lapsed), medium (due "
            "within 30 days), or null"
        ),
    ]
    in_effect_since: date  # the business day this version took effect


class ExpirablePage(msgspec.Struct):
    as_of: date
    counts: dict[str, int]  # per window, for the filters given (before paging and the window filter)
    items: list[Expirable]
    next_cursor: str | None


SORTS = {"due_on": ("due_on", "date"), "subject_name": ("subject_name", "text"), "kind": ("kind", "text")}

_PRACTISING = "('active', 'probation')"
_ENROLLED_ON = (
    "EXISTS (SELECT 1 FROM jsonb_array_elements({subject}.enrollments) e WHERE (e->>'from')::date <= $1 "
    "AND (e->>'until' IS NULL OR (e->>'until')::date > $1))"
)
# Every credential in effect on $1 with its due date, window, lapse and whether an enrollment rests on it that day.
_IN_EFFECT = f"""
WITH cycles AS (
    SELECT $2::jsonb || COALESCE((SELECT credential_cycles FROM tenant_settings), '{{}}'::jsonb) AS c
), dated AS (
    SELECT p.*, s.subject_kind, s.name AS subject_name, s.npi,
        CASE p.cycle
            WHEN 'caqh_reattestation' THEN p.basis_on + (cycles.c->>'caqh_reattestation_days')::int
            WHEN 'masshealth_revalidation' THEN
                (p.basis_on + make_interval(months => (cycles.c->>'masshealth_revalidation_months')::int))::date
            WHEN 'plan_recredentialing' THEN
                (p.basis_on + make_interval(months => (cycles.c->>'plan_recredentialing_months')::int))::date
            ELSE p.expires_on
        END AS due_on,
        CASE WHEN s.subject_kind = 'organization' THEN {_ENROLLED_ON.format(subject="s")}
        ELSE EXISTS (
            SELECT 1 FROM jsonb_array_elements(s.links) l
            JOIN expirable_subjects g ON g.subject_id = (l->>'organization_id')::uuid
            WHERE (l->>'since')::date <= $1 AND (l->>'until' IS NULL OR (l->>'until')::date > $1)
              AND {_ENROLLED_ON.format(subject="g")}
        ) END AS enrollment_depends
    FROM expirable_periods p
    JOIN expirable_subjects s ON s.tenant_id = p.tenant_id AND s.subject_id = p.subject_id
    CROSS JOIN cycles
    WHERE p.effective_from <= $1 AND (p.effective_until IS NULL OR p.effective_until > $1)
      AND ($3::uuid[] IS NULL OR p.organization_id = ANY($3::uuid[]))
      AND ($4::uuid[] IS NULL OR p.organization_id = ANY($4::uuid[]))
      AND ($5::text[] IS NULL OR p.kind = ANY($5::text[]))
      AND ($6::uuid IS NULL OR p.subject_id = $6::uuid)
), judged AS (
    SELECT *, due_on - $1 AS days_left,
        CASE WHEN due_on < $1 THEN 'overdue' WHEN due_on - $1 <= 30 THEN '30' WHEN due_on - $1 <= 60 THEN '60'
             WHEN due_on - $1 <= 90 THEN '90' ELSE 'later' END AS window_name,
        (due_on < $1 OR COALESCE(status NOT IN {_PRACTISING}, false)) AS lapsed
    FROM dated
)
"""

LIST = (
    _IN_EFFECT
    + """
SELECT *, CASE WHEN lapsed AND enrollment_depends THEN 'critical' WHEN lapsed THEN 'high'
               WHEN days_left <= 30 THEN 'medium' END AS severity
FROM judged
WHERE ($7::text[] IS NULL OR window_name = ANY($7::text[])) AND ($8::date IS NULL OR due_on <= $8)
  AND __PAGE__
ORDER BY __ORDER__
LIMIT $11
"""
)
COUNTS = _IN_EFFECT + "SELECT window_name, count(*) AS n FROM judged WHERE ($7::date IS NULL OR due_on <= $7) "
COUNTS += "GROUP BY window_name"


def _arguments(
    day: date,
    cycles: dict[str, int],
    visible: Collection[UUID] | None,
    organization_ids: Collection[UUID] | None,
    kinds: Collection[ExpirableKind] | None,
    subject_id: UUID | None,
    windows: Collection[Window] | None,
    due_by: date | None,
) -> list[Any]:
    return [
        day,
        msgspec.json.encode(cycles).decode(),
        list(visible) if visible is not None else None,
        list(organization_ids) if organization_ids else None,
        [str(k) for k in kinds] if kinds else None,
        subject_id,
        [str(w) for w in windows] if windows else None,
        due_by,
    ]


async def expirables(
    con: asyncpg.Connection,
    keyset: KeysetPage,
    *,
    day: date,
    fetch: int,
    visible: Collection[UUID] | None = None,
    organization_ids: Collection[UUID] | None = None,
    kinds: Collection[ExpirableKind] | None = None,
    subject_id: UUID | None = None,
    windows: Collection[Window] | None = None,
    due_by: date | None = None,
    counted: bool = True,
) -> tuple[list[asyncpg.Record], dict[str, int]]:
    """A page of the credentials in effect on ``day`` (``fetch`` rows: the page and one more), and the count per
    window of those the filters select, whatever the window filter (``counted=False``: no counts, an empty dict; a
    report reading every page has no use for them)."""
    arguments = _arguments(day, DEFAULT_CYCLES, visible, organization_ids, kinds, subject_id, windows, due_by)
    statement = LIST.replace("__PAGE__", keyset.where(9)).replace("__ORDER__", keyset.order_by())
    rows = await con.fetch(statement, *arguments, *keyset.params(), fetch)
    if not counted:
        return rows, {}
    counts = {str(w): 0 for w in Window}
    for row in await con.fetch(COUNTS, *arguments[:6], due_by):
        counts[row["window_name"]] = row["n"]
    return rows, counts


def expirable_of(row: asyncpg.Record) -> Expirable:
    return Expirable(
        period_id=row["period_id"],
        organization_id=row["organization_id"],
        subject_kind=row["subject_kind"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        npi=row["npi"],
        credential=row["credential"],
        kind=ExpirableKind(row["kind"]),
        label=row["label"],
        status=row["status"],
        due_on=row["due_on"],
        days_left=row["days_left"],
        window=Window(row["window_name"]),
        lapsed=row["lapsed"],
        enrollment_depends=row["enrollment_depends"],
        severity=row["severity"],
        in_effect_since=row["effective_from"],
    )
