"""Exclusion screening against the OIG LEIE, SAM and the state's list, per source, with the list's version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from domain.base import check_text, require_reason
from domain.errors import RuleViolation


class ExclusionSource(StrEnum):
    OIG_LEIE = "oig_leie"
    SAM = "sam"
    STATE = "state"  # MassHealth's own suspended or excluded provider list


# The lists every subject is screened against each interval (42 CFR 455.436: the LEIE and the federal list the
# System for Award Management carries). The state's list is checked by hand when MassHealth publishes it.
REQUIRED_SOURCES = (ExclusionSource.OIG_LEIE, ExclusionSource.SAM)
# Days within which a subject must have been screened, unless the firm set its own (tenant_settings): 42 CFR
# 455.436's "no less frequently than monthly", at the longest month.
DEFAULT_SCREENING_INTERVAL_DAYS = 31


class ScreeningResult(StrEnum):
    NO_MATCH = "no_match"
    SUSPECTED_MATCH = "suspected_match"  # needs review
    CONFIRMED_MATCH = "confirmed_match"
    CLEARED = "cleared"  # a suspected match reviewed and found not to be this provider


@dataclass(frozen=True)
class Screening:
    source: ExclusionSource
    result: ScreeningResult
    list_version: str
    list_date: date
    screened_on: date

    def fields(self) -> dict[str, Any]:
        """As a screening event's fields."""
        return {
            "source": self.source,
            "result": self.result,
            "list_version": self.list_version,
            "list_date": self.list_date,
            "screened_on": self.screened_on,
        }


def check_not_excluded(screenings: Iterable[tuple[str, Screening]], act: str, *, suspected_too: bool = False) -> None:
    """No federal health care program pays an excluded provider (42 CFR 1001.1901), nor an entity an excluded person
    owns or manages (42 CFR 1001.1051); MassHealth screens the provider, its owners and managing employees (42 CFR
    455.436, the enrollment guide: "checking all owners and rendering clinicians against OIG, SAM, and state exclusion
    registries"). While a confirmed match of any of them stands, the organization's applications are not submitted or
    approved and its plan affiliations not activated. With ``suspected_too``, an unreviewed suspected match also stops
    the act (an application's exclusion screening is not passed while one waits). ``screenings``: (whose, screening),
    whose being "the organization" or "owner Jane Roe"."""
    for whose, screening in screenings:
        found = f"{screening.source} list of {screening.list_date} (screened {screening.screened_on})"
        if screening.result is ScreeningResult.CONFIRMED_MATCH:
            raise RuleViolation(
                "provider-excluded",
                f"{act.capitalize()} refused: {whose} is a confirmed match on the {found}. Clear it, with the "
                "reason, if the match was wrong or the exclusion was lifted.",
            )
        if suspected_too and screening.result is ScreeningResult.SUSPECTED_MATCH:
            raise RuleViolation(
                "exclusion-review-pending",
                f"{act.capitalize()} refused: a suspected match of {whose} on the {found} awaits review.",
            )


MATCHES = (ScreeningResult.SUSPECTED_MATCH, ScreeningResult.CONFIRMED_MATCH)


def new_screening(
    previous: Screening | None,
    *,
    source: ExclusionSource,
    result: ScreeningResult,
    list_version: str,
    list_date: date,
    screened_on: date,
    reason: str | None,
) -> Screening:
    """A screening that may replace ``previous`` (the last of the same list for the same subject), or RuleViolation."""
    result = ScreeningResult(result)
    if result is ScreeningResult.CLEARED:
        raise RuleViolation("screening-clear-separately", "Clear a suspected match with the clearing command.")
    if list_date > screened_on:
        raise RuleViolation("screening-list-from-future", "The list is dated after the screening.")
    if previous is not None and screened_on < previous.screened_on:
        raise RuleViolation("screening-date-order", "A screening cannot replace a later one of the same list.")
    unmatched = previous is not None and previous.result in MATCHES and result is ScreeningResult.NO_MATCH
    if unmatched:  # a match standing is settled by a reviewer, who says why: the list run again no longer matching
        require_reason(reason, "A screening that no longer matches a standing match needs a reason.")
    version = check_text(list_version, field="list_version", max_length=40)
    return Screening(ExclusionSource(source), result, version, list_date, screened_on)


def check_clearable(current: Screening | None, on: date, reason: str | None) -> None:
    """A match may be cleared: a suspected one found not to be this subject, a confirmed one wrong or lifted
    (reinstatement), always with the reviewer's reason."""
    if current is None or current.result not in MATCHES:
        raise RuleViolation("screening-not-suspected", "Only a suspected or confirmed match can be cleared.")
    require_reason(reason, "Clearing a match needs the reviewer's reason.")
    if on < current.screened_on:
        raise RuleViolation("screening-date-order", "A match cannot be cleared before it was screened.")


class ScreenedRecord:
    """The commands of a record screened against the exclusion lists in its own name (a practice, a clinician):
    each list's last screening in ``screenings``, recorded and cleared through the aggregate's own event methods."""

    if TYPE_CHECKING:  # defined by each aggregate (its own event classes), which mypy checks against these
        screenings: dict[ExclusionSource, Screening]

        def _screening_recorded(
            self,
            source: ExclusionSource,
            result: ScreeningResult,
            list_version: str,
            list_date: date,
            screened_on: date,
            actor: str,
            reason: str | None,
        ) -> None: ...

        def _screening_cleared(self, source: ExclusionSource, on: date, actor: str, reason: str | None) -> None: ...

    def record_screening(
        self,
        *,
        source: ExclusionSource,
        result: ScreeningResult,
        list_version: str,
        list_date: date,
        screened_on: date,
        actor: str,
        reason: str | None = None,
    ) -> None:
        screening = new_screening(
            self.screenings.get(ExclusionSource(source)),
            source=source,
            result=result,
            list_version=list_version,
            list_date=list_date,
            screened_on=screened_on,
            reason=reason,
        )
        self._screening_recorded(**screening.fields(), actor=actor, reason=reason)

    def clear_screening(self, *, source: ExclusionSource, on: date, actor: str, reason: str | None = None) -> None:
        check_clearable(self.screenings.get(ExclusionSource(source)), on, reason)
        self._screening_cleared(source=ExclusionSource(source), on=on, actor=actor, reason=reason)
