"""Marking personal and sensitive values (TIN/SSN, date of birth, PIN, bank account).

A field annotated ``Annotated[T, PII]`` is encrypted before an event is stored
or published, and only ever appears in dedicated API responses. The domain only
marks the fields; encryption is the store's job.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin


class _PIIMarker:
    def __repr__(self) -> str:
        return "PII"


PII = _PIIMarker()


def is_pii(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated and any(arg is PII for arg in get_args(annotation)[1:])


__all__ = ["PII", "Annotated", "is_pii"]
