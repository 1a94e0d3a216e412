"""The exclusion lists as their publishers write them: the OIG LEIE (the full UPDATED.csv and its monthly
supplements share one layout) and the SAM.gov Exclusions public extract (the current V2 layout, with the Unique
Entity ID, and the older V1 with DUNS). A file's layout is known from its header; each row becomes an ``Entry``,
checked, with the name keys screening compares (``name_key``).

Pure: the importer (services/lists/) streams the file and stores the entries; nothing here reads a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import InvalidValue
from domain.npi import parse_npi
from domain.screening import ExclusionSource


class Layout(StrEnum):
    LEIE = "leie"  # OIG LEIE UPDATED.csv, and the monthly exclusions supplements
    SAM_V2 = "sam_v2"  # SAM.gov Exclusions public extract, V2 (Unique Entity ID)
    SAM_V1 = "sam_v1"  # the extract's earlier layout (DUNS)


_SAM_HEAD = ("Classification", "Name", "Prefix", "First", "Middle", "Last", "Suffix", "Address 1", "Address 2",
             "Address 3", "Address 4", "City", "State / Province", "Country", "Zip Code")  # fmt: skip
_SAM_TAIL = ("Exclusion Program", "Excluding Agency", "CT Code", "Exclusion Type", "Additional Comments",
             "Active Date", "Termination Date", "Record Status", "Cross-Reference", "SAM Number", "CAGE")  # fmt: skip
# The columns each layout must have, by name, in any order (a publisher may add columns at the end).
COLUMNS: dict[Layout, tuple[str, ...]] = {
    Layout.LEIE: ("LASTNAME", "FIRSTNAME", "MIDNAME", "BUSNAME", "GENERAL", "SPECIALTY", "UPIN", "NPI", "DOB",
                  "ADDRESS", "CITY", "STATE", "ZIP", "EXCLTYPE", "EXCLDATE", "REINDATE", "WAIVERDATE", "WVRSTATE"),
    Layout.SAM_V2: (*_SAM_HEAD, "Open Data Flag", "Blank (Deprecated)", "Unique Entity ID", *_SAM_TAIL, "NPI",
                    "Creation_Date"),
    Layout.SAM_V1: (*_SAM_HEAD, "DUNS", *_SAM_TAIL),
}  # fmt: skip
SOURCES = {
    Layout.LEIE: ExclusionSource.OIG_LEIE,
    Layout.SAM_V2: ExclusionSource.SAM,
    Layout.SAM_V1: ExclusionSource.SAM,
}


_COMPACT, _SLASHED = "YYYYMMDD", "MM/DD/YYYY"  # the LEIE's dates, SAM's


class MalformedRow(InvalidValue):
    """A row the layout cannot read: the import stops, names its line and stores nothing."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"Line {line}: {detail}", field=f"line {line}", rule="list-row-malformed")
        self.line = line


@dataclass(frozen=True)
class Entry:
    """One listed individual or entity, as screening needs it. Dates are the publisher's; None where it has none."""

    line: int  # in the file (the header is line 1)
    entity: bool  # a business or other entity, not an individual
    last_name: str | None
    first_name: str | None
    middle_name: str | None
    business_name: str | None
    name_key: str  # last and first name (or the business name) normalised: see name_key()
    npi: str | None
    date_of_birth: date | None  # the LEIE's; personal data: the importer stores only a keyed digest of it
    state: str | None
    exclusion_type: str | None
    excluded_on: date | None
    ends_on: date | None  # SAM's termination date (None: indefinite)
    reinstated_on: date | None  # LEIE: reinstated, no longer excluded from that day
    waiver_on: date | None  # LEIE: a waiver granted that day (for the state in waiver_state)
    waiver_state: str | None
    record_id: str | None  # SAM Number, or the LEIE's UPIN


def column_names(header: Sequence[str]) -> list[str]:
    """The header's names as the layouts spell them (a byte-order mark, padding left out)."""
    return [column.strip().lstrip("\ufeff") for column in header]


def detect_layout(header: Sequence[str]) -> Layout:
    """The layout whose columns the header has; else an error naming the columns each layout expects."""
    names = set(column_names(header))
    for layout, columns in COLUMNS.items():
        if names.issuperset(columns):
            return layout
    expected = "; ".join(f"{layout.value}: {', '.join(columns)}" for layout, columns in COLUMNS.items())
    raise InvalidValue(
        f"Not an exclusion list this service reads. The header must have the columns of one of these layouts "
        f"({expected}).",
        field="header",
        rule="list-layout-unknown",
    )


def read_row(layout: Layout, names: Sequence[str], row: Sequence[str], line: int) -> Entry:
    """The row as an Entry, checked (MalformedRow names the line and what is wrong). ``names``: the header's
    column_names(), taken once per file."""
    if len(row) != len(names):
        raise MalformedRow(line, f"{len(row)} fields where the header has {len(names)}.")
    fields = dict(zip(names, map(str.strip, row), strict=True))
    try:
        return _leie(fields, line) if layout is Layout.LEIE else _sam(fields, line)
    except ValueError as error:
        raise MalformedRow(line, str(error)) from None


def _leie(f: dict[str, str], line: int) -> Entry:
    business = f["BUSNAME"] or None
    entity = not (f["LASTNAME"] or f["FIRSTNAME"])
    if entity and not business:
        raise ValueError("neither a person's name nor a business name.")
    return Entry(
        line=line,
        entity=entity,
        last_name=f["LASTNAME"] or None,
        first_name=f["FIRSTNAME"] or None,
        middle_name=f["MIDNAME"] or None,
        business_name=business,
        name_key=name_key(business, False)
        if business and entity
        else name_key(f"{f['LASTNAME']} {f['FIRSTNAME']}", True),
        npi=_npi(f["NPI"]),
        date_of_birth=_day(f["DOB"], _COMPACT, "DOB"),
        state=f["STATE"] or None,
        exclusion_type=f["EXCLTYPE"] or None,
        excluded_on=_day(f["EXCLDATE"], _COMPACT, "EXCLDATE"),
        ends_on=None,
        reinstated_on=_day(f["REINDATE"], _COMPACT, "REINDATE"),
        waiver_on=_day(f["WAIVERDATE"], _COMPACT, "WAIVERDATE"),
        waiver_state=f["WVRSTATE"] or None,
        record_id=f["UPIN"] or None,
    )


def _sam(f: dict[str, str], line: int) -> Entry:
    entity = f["Classification"] != "Individual"
    name = f["Name"] or None
    if entity and not name:
        raise ValueError("an entity without a name.")
    if not entity and not f["Last"]:
        raise ValueError("an individual without a last name.")
    return Entry(
        line=line,
        entity=entity,
        last_name=f["Last"] or None,
        first_name=f["First"] or None,
        middle_name=f["Middle"] or None,
        business_name=name if entity else None,
        name_key=name_key(name, False) if name and entity else name_key(f"{f['Last']} {f['First']}", True),
        npi=_npi(f.get("NPI", "")),
        date_of_birth=None,  # SAM publishes none
        state=f["State / Province"] or None,
        exclusion_type=f["Exclusion Type"] or None,
        excluded_on=_day(f["Active Date"], _SLASHED, "Active Date"),
        ends_on=_day(f["Termination Date"], _SLASHED, "Termination Date"),
        reinstated_on=None,
        waiver_on=None,
        waiver_state=None,
        record_id=f["SAM Number"] or None,
    )


def _day(text: str, layout: str, column: str) -> date | None:
    """A date in the publisher's form (YYYYMMDD or MM/DD/YYYY: taken apart by hand, strptime cost a third of an
    import); None for its "none" forms (empty, all zeros, Indefinite)."""
    if not text or text == "00000000" or text.lower() == "indefinite":
        return None
    try:
        if layout == _COMPACT and len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        month, day, year = text.split("/")
        if layout == _SLASHED and len(year) == 4 and month.isdigit() and day.isdigit() and year.isdigit():
            return date(int(year), int(month), int(day))
    except ValueError:
        pass
    shown = "" if column == "DOB" else f" {text!r}"  # a date of birth is personal data: never echoed
    raise ValueError(f"{column}{shown} is not a date ({layout}).")


def _npi(text: str) -> str | None:
    """The listed NPI, checked; the LEIE writes 0000000000 where it has none."""
    if not text or set(text) == {"0"}:
        return None
    try:
        return parse_npi(text)
    except InvalidValue:
        raise ValueError(f"NPI {text!r} is not a valid NPI.") from None


_SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV", "MD", "DO", "NP", "PA", "PHD", "RN", "DDS", "DMD", "LICSW"})
_COMPANY_WORDS = frozenset({"INC", "LLC", "LLP", "CORP", "CORPORATION", "CO", "COMPANY", "LTD", "PC", "PLLC", "THE"})


def name_key(name: str, person: bool = False) -> str:
    """A name as screening compares it: accents and case folded, apostrophes and periods dropped (O'Brien, L.L.C.),
    other punctuation a space, suffixes (Jr., III, MD) and company forms (Inc., LLC) left out; for a person ("LAST
    FIRST"), initials too."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    words = [w for w in re.sub(r"[^A-Z0-9 ]+", " ", re.sub(r"['.]", "", text)).split() if w not in _SUFFIXES]
    if person:
        return " ".join(w for w in words if len(w) > 1)
    return " ".join([w for w in words if w not in _COMPANY_WORDS] or words)
