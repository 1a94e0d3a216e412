"""Taxpayer Identification Numbers: an EIN (NN-NNNNNNN) or, for a sole practitioner, an SSN (NNN-NN-NNNN).

A TIN is PII: it is kept as nine digits and only ever stored sealed.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import InvalidValue

_EIN = re.compile(r"([0-9]{2})-?([0-9]{7})")
_SSN = re.compile(r"([0-9]{3})-?([0-9]{2})-?([0-9]{4})")


class TinKind(StrEnum):
    EIN = "ein"
    SSN = "ssn"


def parse_tin(value: str, kind: TinKind, *, field: str = "tin") -> str:
    """Nine digits, or InvalidValue. Hyphens in the usual places are accepted."""
    kind = TinKind(kind)
    if not isinstance(value, str):
        raise InvalidValue("A TIN is a string of nine digits.", field=field, rule="invalid-tin")
    if kind is TinKind.EIN:
        match = _EIN.fullmatch(value)
        if not match or match.group(1) == "00":
            raise InvalidValue("An EIN is nine digits, written NN-NNNNNNN.", field=field, rule="invalid-tin")
        return match.group(1) + match.group(2)
    match = _SSN.fullmatch(value)
    # SSA never issues area 000, 666 or 9xx, group 00 or serial 0000.
    if (
        not match
        or match.group(1) in ("000", "666")
        or match.group(1)[0] == "9"
        or match.group(2) == "00"
        or match.group(3) == "0000"
    ):
        raise InvalidValue("An SSN is nine digits, written NNN-NN-NNNN.", field=field, rule="invalid-tin")
    return "".join(match.groups())
