"""Whether a subject (a practice, an owner or managing employee, a clinician) is on an exclusion list's edition.

42 CFR 455.436: a state screens providers and the people who own or manage them against the LEIE and SAM before
enrollment and monthly after. The entries compared are the edition's rows found by the subject's NPI or its name
key (services/lists/ finds them); what they mean is decided here:

- an entry is in force on a day when its exclusion has begun, it has not been reinstated (the LEIE's REINDATE),
  no waiver was granted for Massachusetts's program (WAIVERDATE and WVRSTATE: the OIG waives an exclusion for
  one state's program only), and it has not ended (SAM's termination date);
- the same NPI on an entry in force is a confirmed match (the identifier the lists and NPPES share);
- the same normalised name, of the same kind (a person or an entity), with a date of birth or a state that
  agrees, is a suspected match, for a specialist to confirm or clear with a reason (where both dates of birth
  are known, they alone decide);
- a name alone, a reinstated entry or a waived one is no match.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.exclusion_lists import name_key
from domain.screening import ScreeningResult


def dob_key(master_key: bytes) -> bytes:
    """The key of the dates-of-birth digests, derived from the PII master key: the same date gives the same digest
    on the list and on the subject, and nobody without the key can tell whose birthday a digest is."""
    return hmac.new(master_key, b"credledger exclusion-list dates of birth", hashlib.sha256).digest()


def dob_digest(key: bytes, day: date) -> str:
    return hmac.new(key, day.isoformat().encode(), hashlib.sha256).hexdigest()


def person_key(full_name: str) -> str:
    """A person's name as written ("Jane Q. Roe") as the lists' name key ("ROE JANE"): the last word is the last
    name (suffixes aside), the first the first name."""
    words = name_key(full_name, True).split()
    return f"{words[-1]} {words[0]}" if len(words) > 1 else " ".join(words)


@dataclass(frozen=True)
class ListedEntry:
    """An edition's row as matching needs it (the importer's columns)."""

    line: int
    entity: bool
    name_key: str
    npi: str | None
    dob_digest: str | None  # a keyed digest of the listed date of birth (services/lists/importer.py)
    state: str | None
    excluded_on: date | None
    ends_on: date | None
    reinstated_on: date | None
    waiver_on: date | None
    waiver_state: str | None = None  # the state whose program the OIG's waiver is for


@dataclass(frozen=True)
class ScreenedSubject:
    """Who is screened: a person (last and first name) or an entity (its legal name), as name_key() normalises it."""

    person: bool
    name_key: str
    npi: str | None = None
    dob_digest: str | None = None  # the same keyed digest of the subject's date of birth, if known
    state: str | None = None  # the practice's state, or the person's


@dataclass(frozen=True)
class Finding:
    result: ScreeningResult
    entry: ListedEntry | None  # the entry that matched (None: no match)
    why: str


PROGRAM_STATE = "MA"  # MassHealth's: an OIG waiver for another state's program lifts nothing here


def in_force(entry: ListedEntry, on: date) -> bool:
    """The exclusion applies on ``on``: begun, not reinstated, not waived for this state's program, not ended."""
    if entry.excluded_on is not None and entry.excluded_on > on:
        return False
    if entry.reinstated_on is not None and entry.reinstated_on <= on:
        return False
    if entry.waiver_on is not None and entry.waiver_on <= on and entry.waiver_state == PROGRAM_STATE:
        return False
    return entry.ends_on is None or entry.ends_on > on


def judge(subject: ScreenedSubject, entries: Iterable[ListedEntry], on: date) -> Finding:
    """The subject's result against the entries found for it (by NPI or name), on day ``on``."""
    standing = [e for e in entries if in_force(e, on)]
    if subject.npi is not None:
        for entry in standing:
            if entry.npi == subject.npi:
                return Finding(
                    ScreeningResult.CONFIRMED_MATCH, entry, f"NPI {subject.npi} is listed (line {entry.line})"
                )
    for entry in standing:
        if entry.name_key != subject.name_key or entry.entity == subject.person:
            continue
        if subject.dob_digest is not None and entry.dob_digest is not None:  # both known: they decide
            if entry.dob_digest == subject.dob_digest:
                return Finding(ScreeningResult.SUSPECTED_MATCH, entry, f"name and date of birth (line {entry.line})")
            continue
        if subject.state is not None and entry.state == subject.state:
            return Finding(ScreeningResult.SUSPECTED_MATCH, entry, f"name and state (line {entry.line})")
    return Finding(ScreeningResult.NO_MATCH, None, "not listed")
