"""The participation view's answers: each clinician's participation with each payer through each practice on a
business day (its timeline's entry in effect that day), filtered, sorted and paged, with the count per state."""

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


class ParticipationState(StrEnum):
    APPLYING = "applying"  # an enrollment or a plan's credentialing being prepared
    SUBMITTED = "submitted"  # with the payer
    DEFICIENT = "deficient"  # the payer waits on the clinician or the practice
    RETURNED = "returned"  # rejected unprocessed: to submit again
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    PARTICIPATING = "participating"
    ENDED = "ended"  # left the practice, or the practice's enrollment or plan contract ended
    TERMINATED = "terminated"  # MassHealth denied its revalidation


class PayerKind(StrEnum):
    MASSHEALTH = "masshealth"
    ACO = "aco"
    MCO = "mco"
    PCC = "pcc"


class Participation(msgspec.Struct, kw_only=True):
    participation_id: UUID
    organization_id: Annotated[UUID, Meta(description="The client practice it is through")]
    practitioner_id: UUID
    practitioner_name: str
    npi: str
    payer: Annotated[str, Meta(description="MassHealth, or the plan's name")]
    payer_kind: PayerKind
    state: ParticipationState
    since: Annotated[date, Meta(description="The business day this state began")]
    application_id: Annotated[UUID | None, Meta(description="The application that decided or drives this state")]
    payer_id: Annotated[str | None, Meta(description="The payer's id for the clinician (MassHealth provider number)")]
    effective_on: Annotated[date | None, Meta(description="Participating from this day (the payer's effective date)")]
    decided_on: date | None
    end_on: Annotated[date | None, Meta(description="The day participation ended (ended or terminated)")]
    end_reason: Annotated[
        str | None,
        Meta(description="left_practice, practice_disenrolled, plan_contract_ended or revalidation_denied"),
    ]
    revalidated_on: Annotated[date | None, Meta(description="MassHealth's latest approved revalidation")]


class ParticipationPage(msgspec.Struct):
    as_of: date
    counts: dict[str, int]  # per state, for the filters given (before paging and the state filter)
    items: list[Participation]
    next_cursor: str | None


SORTS = {"practitioner_name": ("practitioner_name", "text"), "payer": ("payer", "text"), "since": ("since", "date")}

# Each participation's timeline entry in effect on $1, for the filters given.
_ON_DAY = """
WITH on_day AS (
    SELECT p.participation_id, p.organization_id, p.practitioner_id, p.practitioner_name, p.npi, p.payer,
        p.payer_kind, e->>'state' AS state, (e->>'from')::date AS since, (e->>'application_id')::uuid AS application_id,
        e->>'payer_id' AS payer_id, (e->>'effective_on')::date AS effective_on, (e->>'decided_on')::date AS decided_on,
        (e->>'end_on')::date AS end_on, e->>'end_reason' AS end_reason, (e->>'revalidated_on')::date AS revalidated_on
    FROM participations p
    CROSS JOIN LATERAL jsonb_array_elements(p.timeline) e
    WHERE (e->>'from')::date <= $1 AND (e->>'until' IS NULL OR (e->>'until')::date > $1)
      AND ($2::uuid[] IS NULL OR p.organization_id = ANY($2::uuid[]))
      AND ($3::uuid[] IS NULL OR p.organization_id = ANY($3::uuid[]))
      AND ($4::uuid IS NULL OR p.practitioner_id = $4::uuid)
      AND ($5::text[] IS NULL OR p.payer = ANY($5::text[]))
      AND ($6::text[] IS NULL OR p.payer_kind = ANY($6::text[]))
)
"""
LIST = (
    _ON_DAY
    + """
SELECT * FROM on_day WHERE ($7::text[] IS NULL OR state = ANY($7::text[])) AND __PAGE__
ORDER BY __ORDER__
LIMIT $10
"""
)
COUNTS = _ON_DAY + "SELECT state, count(*) AS n FROM on_day GROUP BY state"


async def participations(
    con: asyncpg.Connection,
    keyset: KeysetPage,
    *,
    day: date,
    fetch: int,
    visible: Collection[UUID] | None = None,
    organization_ids: Collection[UUID] | None = None,
    practitioner_id: UUID | None = None,
    payers: Collection[str] | None = None,
    payer_kinds: Collection[PayerKind] | None = None,
    states: Collection[ParticipationState] | None = None,
) -> tuple[list[asyncpg.Record], dict[str, int]]:
    """A page of the participations on ``day`` (``fetch`` rows: the page and one more), and the count per state of
    those the filters select, whatever the state filter."""
    arguments: list[Any] = [
        day,
        list(visible) if visible is not None else None,
        list(organization_ids) if organization_ids else None,
        practitioner_id,
        list(payers) if payers else None,
        [str(k) for k in payer_kinds] if payer_kinds else None,
    ]
    statement = LIST.replace("__PAGE__", keyset.where(8)).replace("__ORDER__", keyset.order_by())
    rows = await con.fetch(statement, *arguments, [str(s) for s in states] if states else None, *keyset.params(), fetch)
    counts = {str(s): 0 for s in ParticipationState}
    for row in await con.fetch(COUNTS, *arguments):
        counts[row["state"]] = row["n"]
    return rows, counts


def participation_of(row: asyncpg.Record) -> Participation:
    return Participation(
        participation_id=row["participation_id"],
        organization_id=row["organization_id"],
        practitioner_id=row["practitioner_id"],
        practitioner_name=row["practitioner_name"],
        npi=row["npi"],
        payer=row["payer"],
        payer_kind=PayerKind(row["payer_kind"]),
        state=ParticipationState(row["state"]),
        since=row["since"],
        application_id=row["application_id"],
        payer_id=row["payer_id"],
        effective_on=row["effective_on"],
        decided_on=row["decided_on"],
        end_on=row["end_on"],
        end_reason=row["end_reason"],
        revalidated_on=row["revalidated_on"],
    )
