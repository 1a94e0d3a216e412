"""A fact's business day corrected (domain/date_corrections.py): the organization's rows folded again.

A view folded the fact on the day it was recorded with; the correction says it took effect on another. Rather than
each view undoing what that day changed, the engine folds the organization's rows again: every row of every view
belongs to one organization (rows.py), and its rows are what the events of its records make them. So on a
correction, each view consuming the corrected record's kind drops the organization's rows and applies again, in
store order, the events of the organization and of each record its rows are keyed by (its accounts, its
applications) that the view had applied, with every corrected fact on its corrected day. A rebuild does the same
when it reaches the correction, so the two agree; the views' handlers need no case of their own.

Which events "the view had applied": in a build (store order), those stored before the correction; live, each
record's events up to the version the view has recorded for it, less those of the batch still to come after the
correction (claimed already, folded next).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.business_time import corrected, effective_day, is_correction
from projections.engine.rows import ViewRows
from projections.engine.view_text import view_event
from services.store.recorder import EVENTS_TABLE
from services.store.transcoder import EventMapper, MsgspecTranscoder

_mapper = EventMapper(MsgspecTranscoder())  # no key: projections never see PII


async def refold_organization(
    rows: ViewRows, projection: Any, correction: Any, position: int, later: Sequence[Any] = ()
) -> None:
    """Fold the organization's rows of this view again from its records' events, corrections applied.
    ``later``: the envelopes of a live batch after the correction."""
    organization_id: UUID = correction.organization_id
    records = {organization_id, correction.originator_id}
    for row_type in projection.row_types:
        column = row_type.key[1]
        if len(row_type.key) == 2 and column != "organization_id":  # keyed by a record's id: its account, ...
            records.update(getattr(row, column) for row in await rows.of_organization(row_type, organization_id))
    events = await _applied_events(rows, projection, sorted(records), position, later)
    await rows.drop_organization(organization_id)
    handler_for = projection.handlers.for_class
    for stored_position, event in events:  # handlers only: a correction among them notes itself, folds nothing
        handler = handler_for(type(event))
        if handler is not None:
            await handler(rows, view_event(event), stored_position)


async def _applied_events(
    rows: ViewRows, projection: Any, records: list[UUID], position: int, later: Sequence[Any]
) -> list[tuple[int, Any]]:
    """The records' events the view had applied before the correction, each on its corrected day, in store order
    (a build's as-of day and known-at moment kept as the build keeps them)."""
    live = not rows.starts_empty
    found = await rows.con.fetch(
        f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
        "WHERE originator_id = ANY($1::uuid[]) AND ($3 OR notification_id <= $2) ORDER BY notification_id",
        records,
        position,
        live,
    )
    if live:  # live: the versions the view recorded, less the batch's events still to come
        caps = dict(
            await rows.con.fetch(
                "SELECT originator_id, version FROM projection_versions WHERE projection = $1 "
                "AND originator_id = ANY($2::uuid[])",
                projection.name,
                records,
            )
        )
        for envelope in later:
            record = envelope.event.originator_id
            if record in caps:
                caps[record] = min(caps[record], envelope.event.originator_version - 1)
        found = [r for r in found if r["originator_version"] <= caps.get(r["originator_id"], 0)]
    decoded = [
        (
            r["notification_id"],
            _mapper.to_domain_event(
                StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
            ),
        )
        for r in found
    ]
    known = [(p, e) for p, e in decoded if rows.known_at is None or e.timestamp <= rows.known_at]
    events = corrected(e for _, e in known)  # the same events, in the same order, on their corrected days
    kept = [
        (stored_position, event)
        for (stored_position, _), event in zip(known, events, strict=True)
        if rows.as_of is None or is_correction(event) or effective_day(event) <= rows.as_of
    ]
    # A correction of a record that did not exist yet (as of a build's day) has nothing to note.
    started = {event.originator_id for _, event in kept if event.originator_version == 1}
    return [(p, e) for p, e in kept if e.originator_id in started or not is_correction(e)]
