"""Request pieces shared by several commands."""

from __future__ import annotations

import msgspec

from domain.address import Address
from domain.taxonomy import TaxonomySelection


class AddressIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    line1: str
    line2: str | None = None
    city: str
    state: str
    postal_code: str

    def parse(self, field: str) -> Address:
        return Address.parse(self.line1, self.city, self.state, self.postal_code, self.line2, field=field)


class TaxonomyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: str
    primary: bool = False

    def parse(self) -> TaxonomySelection:
        return TaxonomySelection(code=self.code, primary=self.primary)
