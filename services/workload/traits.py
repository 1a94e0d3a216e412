"""What sets each simulated practice apart, drawn before its life is simulated; some traits are forced so that
every finding the demo shows appears once a firm has a few practices."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from services.workload.data import PRACTICE_TYPES, PracticeType
from services.workload.plan import Firm


@dataclass
class Traits:
    """What sets this practice apart, drawn before its life is simulated (some forced, see assign_traits)."""

    kind: PracticeType
    onboard: date
    existing: bool = False  # onboarded already enrolled: provider number, affiliations; revalidation due
    nppes: str = "match"  # match | fixed (before submission) | rejected (by POSC, then fixed) | stalled | drift
    mismatch: str = "address"  # address | taxonomy | legal_name | tin
    primary_leaves: str | None = None  # replaced | pm_pending | approved_unrecorded | no_pm
    leaves_near_end: bool = False
    reviews: str = "diligent"  # diligent | sloppy | never
    partner: bool = False
    partner_overlooked: bool = False  # reviews leave out the billing agency
    forgot_departure: bool = False  # a subordinate leaves and nobody ends their access
    affiliates: bool = True
    enrollment: str = "approved"  # approved | denied | withdrawn
    stuck_checklist: bool = False  # the primary user never finishes registering in POSC
    excluded: bool = False  # a denied enrollment's cause: the practice, an owner or a manager is excluded
    office_unadministered: bool = False  # a second office enrolled (its own PID/SL) and never given a primary user


# The findings the demo must show, by priority; "_need" orders them by how far a practice's life must have got.
FORCED: list[dict[str, Any]] = [
    dict(primary_leaves="no_pm", leaves_near_end=True, _need=2),
    dict(forgot_departure=True, _need=5),
    dict(reviews="never", partner=True, _need=6),
    dict(affiliates=False, _need=0),
    dict(nppes="stalled", mismatch="address", _need=8),
    dict(primary_leaves="pm_pending", leaves_near_end=True, _need=3),
    dict(nppes="drift", _need=1),
    dict(primary_leaves="approved_unrecorded", leaves_near_end=True, _need=4),
    dict(partner=True, partner_overlooked=True, _need=7),
    dict(enrollment="denied", excluded=True, _need=5),
    dict(office_unadministered=True, _need=9),  # enrolled, then its office enrolled too: the longest way
]


def assign_traits(firm: Firm, practices: int) -> list[Traits]:
    cal, start, end = firm.cal, firm.start, firm.end
    span = (end - start).days
    traits = []
    for i in range(practices):
        rng = random.Random(f"credledger-workload:traits:{firm.tenant}:{firm.rng.random()}:{i}")
        kind = rng.choices(PRACTICE_TYPES, weights=[t.weight for t in PRACTICE_TYPES])[0]
        existing = rng.random() < 0.15
        fraction = rng.random() * 0.9 if existing else rng.random() ** 1.6 * 0.93
        t = Traits(kind=kind, onboard=cal.on_or_after(start + timedelta(days=int(span * fraction))), existing=existing)
        roll = rng.random()
        t.nppes = (
            "match"
            if roll < 0.72
            else "fixed"
            if roll < 0.84
            else "rejected"
            if roll < 0.89
            else "stalled"
            if roll < 0.91
            else "drift"
        )
        if t.nppes == "rejected" and existing:
            t.nppes = "fixed"
        kinds = ["address", "taxonomy", "tin"] + ([] if kind.entity_kind == "solo_practitioner" else ["legal_name"])
        t.mismatch = rng.choice(kinds)
        roll = rng.random()
        if roll < 0.14:
            t.primary_leaves = rng.choices(["replaced", "pm_pending", "no_pm"], weights=[75, 15, 10])[0]
            t.leaves_near_end = t.primary_leaves != "replaced"
        t.reviews = rng.choices(["diligent", "sloppy", "never"], weights=[60, 32, 8])[0]
        t.partner = rng.random() < (0.35 if kind.entity_kind == "solo_practitioner" else 0.7)
        t.partner_overlooked = rng.random() < 0.2
        t.forgot_departure = False
        t.affiliates = rng.random() > 0.12
        roll = rng.random()
        t.enrollment = "approved" if roll < 0.92 else "denied" if roll < 0.96 else "withdrawn"
        t.excluded = t.enrollment == "denied" and rng.random() < 0.5  # else a failed site visit, a license
        t.stuck_checklist = rng.random() < 0.04
        traits.append(t)

    # Each finding the demo shows should appear once the firm has a few practices: force them onto clients who
    # came early enough for their lives to get there, the most demanding (enrolled, then something happens) first.
    chosen = FORCED[:practices] if practices >= 4 else []
    eligible = sorted(range(practices), key=lambda i: traits[i].onboard)
    for i, changes in zip(eligible, sorted(chosen, key=lambda c: c["_need"]), strict=False):
        t = traits[i]
        base: dict[str, Any] = dict(existing=False, enrollment="approved", stuck_checklist=False, excluded=False)
        if "primary_leaves" not in changes:
            base.update(primary_leaves=None, leaves_near_end=False)
        if "nppes" not in changes and t.nppes in ("stalled", "drift"):
            base["nppes"] = "match"
        traits[i] = replace(t, **{**base, **{k: v for k, v in changes.items() if k != "_need"}})
    return traits
