"""What a view's queries need of a page request: keyset paging's condition, order and parameters.

The API parses the sort and the cursor a client sends (services/api/paging.py: its Keyset has this shape) and
makes the next cursor from the rows a query returns; a view's queries only put these pieces into their SQL,
so they depend on no web layer.
"""

from __future__ import annotations

from typing import Any, Protocol


class KeysetPage(Protocol):
    def where(self, first: int) -> str:
        """The page condition, using parameters ``$first`` (the last row's sort value) and ``$first+1`` (its id)."""
        ...

    def order_by(self) -> str: ...

    def params(self) -> list[Any]:
        """The values of those two parameters (None, None: the first page)."""
        ...
