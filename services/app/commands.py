"""Request pieces shared by several commands."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.address import Address
from domain.taxonomy import TaxonomySelection
from services.api.openapi_docs import doc


class AddressIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A US postal address, compared with NPPES's (which MassHealth matches letter for letter)."""

    line1: Annotated[str, doc("Street number and name.", "100 North St")]
    line2: Annotated[str | None, doc("Suite, floor or unit, if any.", "Suite 200")] = None
    city: Annotated[str, doc("City or town.", "Pittsfield")]
    state: Annotated[str, doc("Two-letter USPS state code.", "MA")]
    postal_code: Annotated[str, doc("ZIP code: five digits, or ZIP+4 (NNNNN-NNNN or NNNNNNNNN).", "01201")]

    def parse(self, field: str) -> Address:
        return Address.parse(self.line1, self.city, self.state, self.postal_code, self.line2, field=field)


class TaxonomyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A NUCC health care provider taxonomy code the practice is registered under."""

    code: Annotated[str, doc("A NUCC taxonomy code: ten characters ending in X.", "193200000X")]
    primary: Annotated[bool, doc("Whether it is the primary taxonomy (exactly one is).", True)] = False

    def parse(self) -> TaxonomySelection:
        return TaxonomySelection(code=self.code, primary=self.primary)
