"""The screening risk category a MassHealth provider type may not go below (42 CFR 455.450 screens by the
categories of 42 CFR 424.518; the enrollment guide: "moderate-to-high-risk provider categories (including DME,
behavioral health facilities, and non-emergency medical transportation) must undergo fingerprint-based criminal
background checks (CORI checks) and site visits").

A provider type named here is at least moderate risk; a newly enrolling DME supplier, home health agency or opioid
treatment program is high risk under 424.518(c) (MassHealth asks the same screenings of both here: fingerprints and a
site visit). A provider type not named (physicians, groups, clinics: limited under 424.518(a)) has no floor."""

from __future__ import annotations

import re

from domain.errors import RuleViolation
from domain.organization_values import RiskLevel

# Provider types, as MassHealth and the firms name them (lower case, single spaces), at least moderate risk.
MODERATE_OR_HIGHER = frozenset(
    {
        "durable medical equipment supplier",
        "durable medical equipment",
        "dme supplier",
        "dmepos supplier",
        "home health agency",
        "home health",
        "hospice",
        "non-emergency medical transportation",
        "nemt",
        "ambulance service",
        "community mental health center",
        "mental health center",
        "behavioral health facility",
        "substance use disorder clinic",
        "opioid treatment program",
        "opioid treatment provider",
        "independent diagnostic testing facility",
        "comprehensive outpatient rehabilitation facility",
        "portable x-ray supplier",
        "physical therapist in private practice",
    }
)
_ORDER = (RiskLevel.LIMITED, RiskLevel.MODERATE, RiskLevel.HIGH)


def minimum_risk_level(provider_type: str) -> RiskLevel:
    """The lowest risk category the provider type may be screened at."""
    name = re.sub(r"\s+", " ", provider_type).strip().casefold()
    return RiskLevel.MODERATE if name in MODERATE_OR_HIGHER else RiskLevel.LIMITED


def check_risk_level(provider_type: str, risk_level: RiskLevel) -> None:
    floor = minimum_risk_level(provider_type)
    if _ORDER.index(RiskLevel(risk_level)) < _ORDER.index(floor):
        raise RuleViolation(
            "risk-below-provider-type-minimum",
            f"A {provider_type} is screened at {floor} risk or higher (42 CFR 424.518, 455.450), not {risk_level}.",
        )
