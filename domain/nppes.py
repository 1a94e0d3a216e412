"""NPPES registry snapshots and the mismatches that make MassHealth reject an application.

The seeds: "The specialty taxonomy codes and provider type classifications entered
during your POSC portal registration must match your national registries in the
federal NPPES database 100%. A single spelling discrepancy in addresses, Tax IDs,
or rendering taxonomies ... will trigger an immediate, automated POSC rejection."
So the comparison is exact after normalising case and punctuation only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.address import Address, normalise_name
from domain.errors import InvalidValue
from domain.npi import parse_npi
from domain.taxonomy import TaxonomySelection
from domain.text import clean_text


@dataclass(frozen=True)
class NppesSnapshot:
    npi: str
    enumeration_type: str  # "NPI-1" (individual) or "NPI-2" (organization)
    name: str
    taxonomies: tuple[TaxonomySelection, ...]
    location_address: Address | None
    mailing_address: Address | None
    status: str  # "A" active, "D" deactivated
    last_updated: str | None
    retrieved_on: date


@dataclass(frozen=True)
class Mismatch:
    field: str
    detail: str  # never carries PII


NO_SNAPSHOT = Mismatch("nppes", "No NPPES snapshot is recorded.")


def snapshot_from_api(record: dict[str, Any], retrieved_on: date) -> NppesSnapshot:
    """One element of the NPPES API's ``results`` (API version 2.1) as a snapshot.

    The record is free JSON from outside: every text kept from it must be clean (domain/text.py), named by its
    place in the record (``record.basic.organization_name``, ``record.addresses[0].city``)."""
    try:
        basic = record["basic"]
        enumeration_type = _text(record["enumeration_type"], "enumeration_type")
        if enumeration_type == "NPI-2":
            name = _text(basic["organization_name"], "basic.organization_name")
        else:
            parts = (_text(basic.get(part), f"basic.{part}", optional=True) for part in ("first_name", "last_name"))
            name = " ".join(filter(None, parts))
        addresses = {a["address_purpose"]: (i, a) for i, a in enumerate(record.get("addresses", []))}
        return NppesSnapshot(
            npi=parse_npi(str(record["number"]), field="record.number"),
            enumeration_type=enumeration_type,
            name=name,
            taxonomies=tuple(
                TaxonomySelection(code=_text(t["code"], f"taxonomies[{i}].code"), primary=bool(t.get("primary")))
                for i, t in enumerate(record.get("taxonomies", []))
            ),
            location_address=_address(*addresses.get("LOCATION", (0, None))),
            mailing_address=_address(*addresses.get("MAILING", (0, None))),
            status=_text(basic.get("status", "A"), "basic.status"),
            last_updated=_text(basic.get("last_updated"), "basic.last_updated", optional=True),
            retrieved_on=retrieved_on,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise InvalidValue(
            f"Not an NPPES API record: missing or malformed {error}.", field="record", rule="invalid-nppes-record"
        ) from error


def _text(value: Any, field: str, *, optional: bool = False) -> Any:
    return None if value is None and optional else clean_text(value, field=f"record.{field}")


def _address(index: int, raw: dict[str, Any] | None) -> Address | None:
    if raw is None or raw.get("country_code", "US") != "US":
        return None
    at = f"addresses[{index}]"
    return Address(
        line1=_text(raw["address_1"], f"{at}.address_1"),
        line2=_text(raw.get("address_2") or None, f"{at}.address_2", optional=True),
        city=_text(raw["city"], f"{at}.city"),
        state=_text(raw["state"], f"{at}.state"),
        postal_code=_text(str(raw["postal_code"]), f"{at}.postal_code"),
    )


def find_mismatches(
    *,
    snapshot: NppesSnapshot,
    npi: str,
    required_enumeration_type: str,
    legal_name: str,
    taxonomies: list[TaxonomySelection],
    practice_address: Address,
    mailing_address: Address | None,
    tin_matches: bool | None,
) -> list[Mismatch]:
    found = []
    if snapshot.npi != npi:
        found.append(Mismatch("npi", "The snapshot is of another NPI."))
    if snapshot.status != "A":
        found.append(Mismatch("npi_status", "The NPI is not active in NPPES."))
    if snapshot.enumeration_type != required_enumeration_type:
        found.append(
            Mismatch(
                "enumeration_type",
                f"NPPES has {snapshot.enumeration_type}, the entity needs {required_enumeration_type}.",
            )
        )
    if normalise_name(snapshot.name) != normalise_name(legal_name):
        found.append(Mismatch("legal_name", f"NPPES has {snapshot.name!r}, the profile {legal_name!r}."))
    ours = {(t.code, t.primary) for t in taxonomies}
    theirs = {(t.code, t.primary) for t in snapshot.taxonomies}
    if ours != theirs:
        found.append(Mismatch("taxonomies", f"NPPES has {_codes(theirs)}, the profile {_codes(ours)}."))
    if snapshot.location_address is None or snapshot.location_address.matching_key() != practice_address.matching_key():
        found.append(Mismatch("practice_address", "The practice location differs from NPPES."))
    if mailing_address is not None and (
        snapshot.mailing_address is None or snapshot.mailing_address.matching_key() != mailing_address.matching_key()
    ):
        found.append(Mismatch("mailing_address", "The mailing address differs from NPPES."))
    if tin_matches is False:
        found.append(Mismatch("tin", "The TIN differs from the one on the NPPES record."))
    return found


def _codes(pairs: set[tuple[str, bool]]) -> str:
    return ", ".join(f"{code}{' (primary)' if primary else ''}" for code, primary in sorted(pairs)) or "none"
