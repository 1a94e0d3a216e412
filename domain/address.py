"""Postal addresses, compared the way NPPES matching needs (case- and spacing-insensitive only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.text import clean_text

# USPS state and territory codes (50 states, DC, territories, military). Split from one string: as a list literal
# they would take a line each.
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "  # noqa: SIM905
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI AA AE AP".split()
)
_ZIP = re.compile(r"[0-9]{5}(?:-?[0-9]{4})?")


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str | None = None

    @classmethod
    def parse(
        cls, line1: str, city: str, state: str, postal_code: str, line2: str | None = None, *, field: str
    ) -> Address:
        """An address as typed; each part must be clean text (domain/text.py), named e.g. ``{field}.line1``."""
        parts = (("line1", line1), ("line2", line2), ("city", city), ("state", state), ("postal_code", postal_code))
        for part, value in parts:
            if value is not None:
                clean_text(value, field=f"{field}.{part}")
        if (
            not all(isinstance(v, str) for v in (line1, city, state, postal_code))
            or not line1.strip()
            or not city.strip()
        ):
            raise InvalidValue(
                "An address needs a street, a city, a state and a ZIP.", field=field, rule="invalid-address"
            )
        state = state.strip().upper()
        if state not in US_STATES:
            raise InvalidValue(f"{state!r} is not a USPS state code.", field=f"{field}.state", rule="invalid-address")
        if not _ZIP.fullmatch(postal_code.strip()):
            raise InvalidValue("A ZIP code is 5 or 9 digits.", field=f"{field}.postal_code", rule="invalid-address")
        return cls(
            line1=line1.strip(),
            line2=line2.strip() if line2 and line2.strip() else None,
            city=city.strip(),
            state=state,
            postal_code=postal_code.strip().replace("-", ""),
        )

    def matching_key(self) -> tuple[str, str, str, str]:
        """What must agree with NPPES: street, city, state and the 5-digit ZIP, up to case and spacing."""
        street = " ".join(filter(None, (self.line1, self.line2)))
        return (_normalise(street), _normalise(self.city), self.state, self.postal_code[:5])


def _normalise(text: str) -> str:
    # Only case and runs of spaces are forgiven: NPPES stores upper case, and the
    # seeds warn that "a single spelling discrepancy" (a missing period or comma
    # included) triggers an automated rejection, so punctuation must match.
    return " ".join(text.upper().split())


def normalise_name(name: str) -> str:
    return _normalise(name)
