"""National Provider Identifier, validated by its check digit.

The NPI's tenth digit is a Luhn check digit computed over the prefix ``80840``
(the ISO 7812 issuer prefix for US health applications) followed by the first
nine digits. See CMS, "Requirements for NPI check digit":
https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
"""

from __future__ import annotations

import re

from domain.errors import InvalidValue

_PREFIX = "80840"
# ASCII only: str.isdigit() would also accept e.g. fullwidth or superscript digits.
_TEN_DIGITS = re.compile(r"[0-9]{10}")


def luhn_check_digit(digits: str) -> int:
    """The digit that makes ``digits + it`` pass the Luhn test."""
    total = 0
    # Walking from the right, every other digit (starting with the rightmost
    # payload digit) is doubled, since the check digit will sit to its right.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def parse_npi(value: str, *, field: str = "npi") -> str:
    """Return the NPI if it is ten digits with a valid check digit, else raise."""
    if not isinstance(value, str) or not _TEN_DIGITS.fullmatch(value):
        raise InvalidValue("An NPI is exactly ten digits.", field=field, rule="invalid-npi")
    if value[0] not in "12":
        raise InvalidValue("An NPI starts with 1 or 2.", field=field, rule="invalid-npi")
    if luhn_check_digit(_PREFIX + value[:9]) != int(value[9]):
        raise InvalidValue("The NPI's check digit is wrong.", field=field, rule="invalid-npi")
    return value
