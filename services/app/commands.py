"""What every command shares: the base of its typed value, the documented reason, and the parts several use.

A command is a frozen msgspec Struct, defined once with its field docs (``doc``) beside its use case
(``services/app/<aggregate>_commands.py``): the API decodes the request body into it (its OpenAPI schema comes
from it), the use case takes it as its argument, and the workload generator builds it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

import msgspec

from domain.address import Address
from domain.business_time import business_today
from domain.taxonomy import TaxonomySelection


def doc(description: str, *examples: Any) -> msgspec.Meta:
    """A command field's documentation (no constraint: msgspec decodes exactly as before)."""
    return msgspec.Meta(description=description, examples=list(examples) if examples else None)


# In examples, the id of a record the reader has: ids are made when records are created, so no example can hold one.
EXAMPLE_ID = "00000000-0000-4000-8000-000000000000"


def record_id(description: str) -> msgspec.Meta:
    """The documentation of a field naming another record by its id; the example's id stands in for the reader's."""
    return doc(f"{description} Put the id of your record here: the example's is a stand-in.", EXAMPLE_ID)


def effective_day(description: str, example: str) -> msgspec.Meta:
    """The documentation of a fact's business day (domain/business_time.py), which a command may omit."""
    return doc(
        f"{description} A Massachusetts date; today when omitted. Never in the future, nor before a fact it follows "
        "that this record already has (the problem names both dates). Record a fact late with the day it happened.",
        example,
    )


def today() -> Any:
    """The default of a fact's business day: today in Massachusetts, when the request is decoded."""
    return msgspec.field(default_factory=business_today)


def effective_field(command: type[msgspec.Struct]) -> str | None:
    """The name of the command's business-day field (the one defaulting to today), if it has one."""
    found = [f.name for f in msgspec.structs.fields(command) if f.default_factory is business_today]
    return found[0] if found else None


Day = Annotated[date, effective_day("The day it took effect (YYYY-MM-DD).", "2026-04-28")]

# Bounded so that no event can outgrow a NATS message (1 MB by default).
Reason = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,
        description="Why, in a sentence or two (up to 2,000 characters): recorded with the event in the record's "
        "compliance history, where auditors read it.",
        examples=["as the practice's office manager confirmed by phone"],
    ),
]


class Command(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base of every command: unknown fields are rejected, and a reason may be given."""

    reason: Reason | None = None
    # The whole body's example, where the fields' examples would not make a valid or a typical body together (the
    # docs' "Try it out" sends every field's): the OpenAPI document's example of the body (openapi_docs.py).
    example: ClassVar[dict[str, Any] | None] = None


class AddressIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A US postal address, compared with NPPES's (which MassHealth matches letter for letter)."""

    line1: Annotated[str, doc("Street number and name.", "100 North St")]
    line2: Annotated[str | None, doc("Suite, floor or unit, if any.", "Suite 200")] = None
    city: Annotated[str, doc("City or town.", "Pittsfield")]
    state: Annotated[str, doc("Two-letter USPS state code.", "MA")]
    postal_code: Annotated[str, doc("ZIP code: five digits, or ZIP+4 (NNNNN-NNNN or NNNNNNNNN).", "01201")]

    def parse(self, field: str) -> Address:
        return Address.parse(self.line1, self.city, self.state, self.postal_code, self.line2, field=field)


class TaxonomyIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A NUCC health care provider taxonomy code the practice is registered under."""

    code: Annotated[str, doc("A NUCC taxonomy code: ten characters ending in X.", "193200000X")]
    primary: Annotated[bool, doc("Whether it is the primary taxonomy (exactly one is).", True)] = False

    def parse(self) -> TaxonomySelection:
        return TaxonomySelection(code=self.code, primary=self.primary)


class CorrectEffectiveDate(Command, frozen=True, kw_only=True):
    """A fact recorded with the wrong business day: the day it really took effect, and why (the fact itself stays
    as recorded; the correction is a new event in the record's history, and every view follows it)."""

    version: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="The record's version holding the fact to correct (its history lists each version).",
            examples=[3],
        ),
    ]
    on: Annotated[
        date,
        doc(
            "The day the fact really took effect (YYYY-MM-DD, Massachusetts). Never in the future, before a fact "
            "recorded before it on a part of the record it shares, nor after one recorded after it.",
            "2026-04-21",
        ),
    ]
    reason: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=2000,
            description="Why the recorded day was wrong (required, up to 2,000 characters): kept with the correction "
            "in the record's compliance history, where auditors read it.",
            examples=["POSC shows the grant on April 21; it was typed as April 28"],
        ),
    ]
