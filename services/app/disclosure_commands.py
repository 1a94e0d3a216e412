"""The commands on an organization's owners and managing employees (domain/disclosure.py), as typed values: the
API's request bodies and the use cases' arguments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec

from domain.disclosure import DisclosureRole, PartyKind
from domain.screening import ExclusionSource, ScreeningResult
from services.app.commands import Command, Day, doc, effective_day, today


class DiscloseOwnerOrManagingEmployee(Command, frozen=True, kw_only=True):
    """One owner (5% or more, direct or indirect) or managing employee, as disclosed in the enrollment wizard
    (42 CFR 455.104). Screen them against the exclusion lists like the practice itself."""

    role: Annotated[DisclosureRole, doc("owner (5% or more) or managing_employee.", "owner")]
    party: Annotated[
        PartyKind,
        doc("individual (a person) or organization (an owning entity); a managing employee is an individual."),
    ] = PartyKind.INDIVIDUAL
    name: Annotated[str, msgspec.Meta(max_length=200), doc("The person's or entity's legal name.", "Jane Roe")]
    tin: Annotated[
        str,
        doc(
            "A person's SSN (NNN-NN-NNNN), an owning entity's EIN (NN-NNNNNNN). Stored sealed; read back only through "
            "GET /v1/organizations/{id}/pii.",
            "123-45-6789",
        ),
    ]
    birth_date: Annotated[
        date | None, doc("A person's date of birth (none for an entity); stored sealed.", "1970-03-04")
    ] = None
    ownership_percent: Annotated[
        Decimal | None,
        doc("An owner's interest, from 5 to 100 with at most two decimals; none for a managing employee.", "25"),
    ] = None
    on: Annotated[
        date, effective_day("The day they became an owner or managing employee (YYYY-MM-DD).", "2026-04-20")
    ] = today()


class EndDisclosure(Command, frozen=True, kw_only=True):
    """The owner sold their interest or the managing employee left: from that day they are no longer screened for
    the practice, and a match of theirs no longer holds its applications."""

    on: Day = today()


class RecordPersonScreening(Command, frozen=True, kw_only=True):
    """A check of the owner or managing employee against an exclusion list (OIG LEIE, SAM or MassHealth's own)."""

    source: Annotated[
        ExclusionSource, doc("oig_leie, sam, or state (MassHealth's suspended or excluded list).", "oig_leie")
    ]
    result: Annotated[ScreeningResult, doc("no_match, suspected_match (needs review) or confirmed_match.", "no_match")]
    list_version: Annotated[str, doc("The list's edition as its publisher names it.", "2026-04")]
    list_date: Annotated[date, doc("The day that edition was published (YYYY-MM-DD).", "2026-04-01")]
    screened_on: Annotated[
        date, effective_day("The day the person was checked against it (YYYY-MM-DD).", "2026-04-10")
    ] = today()


class ClearPersonScreening(Command, frozen=True, kw_only=True):
    """A match of the owner or managing employee on the list in the path that no longer stands: a suspected one
    found not to be this person, or a confirmed one wrong or lifted. The reason (required) says which and why."""

    on: Day = today()
