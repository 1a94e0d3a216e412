"""The documents an application's dossier holds, and which ones each kind of application needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import InvalidValue
from domain.text import clean_text


class DocumentType(StrEnum):
    W9 = "w9"
    IRS_147C = "irs_147c"  # the IRS letter confirming the EIN
    LICENSE = "license"  # Massachusetts professional or facility license
    LIABILITY_COI = "liability_coi"  # certificate of insurance
    DEA = "dea"  # DEA registration, with a Massachusetts address
    VOIDED_CHECK = "voided_check"
    PROVIDER_AGREEMENT = "provider_agreement"


# From the enrollment guide's dossier; EXPIRING documents are refused once expired.
EXPIRING = frozenset({DocumentType.LICENSE, DocumentType.LIABILITY_COI, DocumentType.DEA})
MIN_PER_OCCURRENCE = 1_000_000  # "$1M/$3M"
MIN_AGGREGATE = 3_000_000


@dataclass(frozen=True)
class Document:
    document_id: str
    type: DocumentType
    received_on: date
    expires_on: date | None = None
    per_occurrence_limit: int | None = None  # liability COI only, in dollars
    aggregate_limit: int | None = None
    dea_state: str | None = None  # DEA only: the registration's state


def check_document(document: Document, supersedes: str | None = None) -> Document:
    """The document's rules; its texts (and the id of the one it replaces) must be clean (domain/text.py)."""
    texts = (("document_id", document.document_id), ("dea_state", document.dea_state), ("supersedes", supersedes))
    for field, value in texts:
        if value is not None:
            clean_text(value, field=field)
    if document.type in EXPIRING and document.expires_on is None:
        raise InvalidValue(f"A {document.type} has an expiry date.", field="expires_on", rule="document-needs-expiry")
    if document.type is DocumentType.LIABILITY_COI:
        if document.per_occurrence_limit is None or document.aggregate_limit is None:
            raise InvalidValue("A liability COI states its limits.", field="per_occurrence_limit", rule="coi-limits")
        if document.per_occurrence_limit < MIN_PER_OCCURRENCE or document.aggregate_limit < MIN_AGGREGATE:
            raise InvalidValue(
                "MassHealth needs liability coverage of at least $1M per occurrence and $3M aggregate.",
                field="per_occurrence_limit",
                rule="coi-limits",
            )
    if document.type is DocumentType.DEA and (document.dea_state or "").upper() != "MA":
        raise InvalidValue(
            "The DEA certificate must show a Massachusetts address.", field="dea_state", rule="dea-state"
        )
    return document
