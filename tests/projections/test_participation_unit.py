"""The participation view folded in memory, as a rebuild folds it (no database): a clinician's own applications,
its rendering links and its practice's acts make the same timeline whatever order the records' events arrive in;
the practice's own applications make none."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from projections.participation import handlers as participation
from projections.participation.rows import ApplicationRow, ParticipationRow, timeline
from tests.domain.builders import ORG_ID, SUBMITTED_ON, open_application, register_practitioner, submitted_application
from tests.projections.test_derived_views_unit import _fold, _practice

APPROVED_ON = date(2026, 4, 15)
LEFT_ON = date(2026, 6, 1)


def _clinician() -> tuple[Any, list[Any], list[Any]]:
    """A clinician (its registration and link to the practice) and its link's end, as two lists of events."""
    clinician = register_practitioner()
    clinician.link(organization_id=ORG_ID, service_location="A", on=date(2026, 2, 2), actor="u")
    started = list(clinician.collect_events())
    clinician.end_link(organization_id=ORG_ID, service_location="A", on=LEFT_ON, actor="u")
    return clinician, started, list(clinician.collect_events())


def _participations(events: list[Any]) -> list[ParticipationRow]:
    rows = _fold(participation, [*_practice(), *events])
    return asyncio.run(rows.of_organization(ParticipationRow, ORG_ID))


def test_the_same_timeline_whatever_order_the_records_arrive_in() -> None:
    clinician, registered, left = _clinician()
    enrollment = submitted_application("enrollment", practitioner_id=clinician.id)
    enrollment.record_screening(screening="exclusion_lists", passed=True, completed_on=APPROVED_ON, actor="u")
    enrollment.approve(decided_on=APPROVED_ON, provider_number="7654321", actor="u")
    applied = list(enrollment.collect_events())
    practice_own = list(open_application("aco_affiliation").collect_events())
    timelines = []
    for order in ([applied, left], [left, applied]):
        found = _participations([*registered, *practice_own, *(e for events in order for e in events)])
        assert [(p.payer, p.payer_kind) for p in found] == [("MassHealth", "masshealth")]  # the practice's: none
        timelines.append(found[0].timeline)
    assert timelines[0] == timelines[1]
    states = [(t["state"], t["from"], t["until"]) for t in timelines[0]]
    assert states == [
        ("applying", "2026-01-05", SUBMITTED_ON.isoformat()),
        ("submitted", SUBMITTED_ON.isoformat(), APPROVED_ON.isoformat()),
        ("participating", APPROVED_ON.isoformat(), LEFT_ON.isoformat()),
        ("ended", LEFT_ON.isoformat(), None),
    ]
    assert (timelines[0][-1]["payer_id"], timelines[0][-1]["end_reason"]) == ("7654321", "left_practice")


def _step(on: str, position: int, state: str, **details: Any) -> dict[str, Any]:
    return {"on": on, "position": position, "state": state, "application_id": "a", **details}


def test_the_days_last_act_stands_and_a_revalidation_keeps_or_ends_participation() -> None:
    enrollment = ApplicationRow(
        tenant_id="t", organization_id=ORG_ID, application_id=ORG_ID, kind="enrollment", payer="MassHealth",
        opened_on=date(2026, 1, 5),
        steps=[_step("2026-01-05", 1, "applying"), _step("2026-01-05", 2, "submitted"),
               _step("2026-03-01", 3, "approved", payer_id="1234567", effective_on="2026-02-01")],
    )  # fmt: skip
    revalidation = ApplicationRow(
        tenant_id="t", organization_id=ORG_ID, application_id=ORG_ID, kind="revalidation", payer="MassHealth",
        opened_on=date(2026, 5, 1),
        steps=[_step("2026-05-02", 7, "submitted"), _step("2026-06-10", 8, "denied")],
    )  # fmt: skip
    periods = timeline([revalidation, enrollment], [], [])
    assert [(p["state"], p["from"]) for p in periods] == [
        ("submitted", "2026-01-05"),  # applying and submitted the same day: the day's last stands
        ("participating", "2026-03-01"),
        ("terminated", "2026-06-10"),
    ]
    assert (periods[1]["effective_on"], periods[2]["end_reason"]) == ("2026-02-01", "revalidation_denied")
    # A practice's enrollment ended (or a plan's contract) ends it too; a later approval starts it again.
    ends = [{"payer": "MassHealth", "on": "2026-04-01", "position": 5, "reason": "practice_disenrolled"}]
    again = _step("2026-04-20", 6, "approved", payer_id="1234567")
    enrollment.steps.append(again)
    periods = timeline([enrollment], ends, [])
    assert [(p["state"], p["from"], p["end_reason"]) for p in periods][1:] == [
        ("participating", "2026-03-01", None),
        ("ended", "2026-04-01", "practice_disenrolled"),
        ("participating", "2026-04-20", None),
    ]


def _link(since: str, until: str | None, position: int, until_position: int | None = None) -> dict[str, Any]:
    return {"organization_id": str(ORG_ID), "service_location": "A", "since": since, "until": until,
            "position": position, "until_position": until_position}  # fmt: skip


def test_leaving_the_practice_ends_it_even_before_a_decision_and_a_move_within_a_day_does_not() -> None:
    enrollment = ApplicationRow(
        tenant_id="t", organization_id=ORG_ID, application_id=ORG_ID, kind="enrollment", payer="MassHealth",
        opened_on=date(2026, 1, 5),
        steps=[_step("2026-01-05", 2, "applying"), _step("2026-03-01", 9, "approved", payer_id="1234567")],
    )  # fmt: skip
    # Left in February, while the application was pending: the approval in March finds it gone.
    gone = timeline([enrollment], [], [_link("2026-01-02", "2026-02-10", 1, 5)])
    assert [(p["state"], p["from"], p["end_reason"]) for p in gone][-1] == ("ended", "2026-03-01", "left_practice")
    # Moved from location A to B on one day (A's end recorded first): it never stopped rendering there.
    moved = timeline([enrollment], [], [_link("2026-01-02", "2026-02-10", 1, 5), _link("2026-02-10", None, 6)])
    assert [p["state"] for p in moved] == ["applying", "participating"]
    # A revalidation approved after the clinician left does not bring the participation back.
    revalidation = ApplicationRow(
        tenant_id="t", organization_id=ORG_ID, application_id=ORG_ID, kind="revalidation", payer="MassHealth",
        opened_on=date(2026, 4, 1), steps=[_step("2026-06-10", 12, "approved")],
    )  # fmt: skip
    left_in_may = timeline([enrollment, revalidation], [], [_link("2026-01-02", "2026-05-01", 1, 11)])
    assert [(p["state"], p["from"]) for p in left_in_may][-1] == ("ended", "2026-05-01")
