"""Clean text: what a command's text may contain, and how text stored before this rule is shown.

Every text a command carries becomes part of an immutable event, and from there of the views (PostgreSQL
``text`` and ``jsonb``, which cannot hold U+0000), the change stream, exports and people's screens. An event
cannot be corrected once stored, so a character that breaks any of those must be refused before it is
recorded. In every text field the domain refuses:

- the C0 control characters U+0000-U+001F, except tab and line feed in a multi-line text (a command's
  reason, an override's reason); carriage return too, since a JSON client sends a line break as a line feed;
- DEL (U+007F) and the C1 control characters U+0080-U+009F;
- the Unicode non-characters U+FDD0-U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF,
  U+1FFFE, ... U+10FFFF), which Unicode reserves for a program's internal use, never for interchange;
- lone surrogates U+D800-U+DFFF (JSON decoders refuse them, but a caller of the domain could pass one, and
  the store's UTF-8 encoder would then fail on save).

Ordinary letters, accents, other scripts, emoji and spaces are all accepted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from domain.errors import InvalidValue

# Fields of an event that hold a multi-line text: the only ones where tab and line feed are allowed.
MULTILINE_FIELDS = frozenset({"reason", "override_reason"})

_NON_CHARACTERS = "\\ufdd0-\\ufdef" + "".join(
    f"\\U{(plane << 16) | 0xFFFE:08x}\\U{(plane << 16) | 0xFFFF:08x}" for plane in range(17)
)
_ALWAYS_REFUSED = f"\\x7f-\\x9f{_NON_CHARACTERS}\\ud800-\\udfff"
_REFUSED_IN_LINE = re.compile(f"[\\x00-\\x1f{_ALWAYS_REFUSED}]")
_REFUSED_IN_MULTILINE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f{_ALWAYS_REFUSED}]")


def first_refused(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` a text field refuses, or None if it is clean."""
    if value.isprintable():
        # Every refused character is unprintable to Python (categories Cc, Cn, Cs), and this test runs in C
        # at a fraction of the pattern's cost (a rebuild checks every stored event's text).
        return None
    found = (_REFUSED_IN_MULTILINE if multiline else _REFUSED_IN_LINE).search(value)
    return found.group() if found else None


def clean_text(value: Any, *, field: str, multiline: bool = False) -> str:
    """``value`` unchanged if it is clean text, else InvalidValue naming ``field``.

    The message names the character's code point and position, never the text: a field may hold a
    person's name."""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text.", field=field, rule="invalid-text")
    refused = first_refused(value, multiline=multiline)
    if refused is not None:
        kind = _kind_of(refused)
        allowed = " (tab and line feed are allowed here)" if multiline else ""
        raise InvalidValue(
            f"{field} contains {_code_point(refused)} at position {value.index(refused)}, {kind}; text may not "
            f"hold control characters or Unicode non-characters{allowed}.",
            field=field,
            rule="invalid-text",
        )
    return value


def clean_texts(values: list[str], *, field: str) -> list[str]:
    """Each text of a list clean, named by its index (``missing_items[2]``); what is not text is left to the
    caller's own rule for the list."""
    for index, value in enumerate(values):
        if isinstance(value, str):
            clean_text(value, field=f"{field}[{index}]")
    return values


def check_event_text(values: Mapping[str, Any]) -> None:
    """Every text in a new event's fields, however deeply nested (addresses, documents, snapshots, lists):
    the rule applied to whatever an aggregate records, so no command can store unclean text even where its
    own checks forgot a field. A nested field is named by its path, e.g. ``practice_address.line1``."""
    for name, value in values.items():
        _check(value, name, name in MULTILINE_FIELDS)


def _check(value: Any, path: str, multiline: bool) -> None:
    if isinstance(value, str):
        clean_text(value, field=path, multiline=multiline)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", False)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, path, False)
            _check(item, f"{path}.{key}", False)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _check(getattr(value, field.name), f"{path}.{field.name}", False)


def escape_text(value: str, *, multiline: bool = True) -> str:
    """``value`` with every character a text refuses (a multi-line one by default) written as a visible escape:
    U+0000 becomes the six characters ``\\u0000``, U+1FFFF becomes ``\\U0001ffff``. Clean text comes back
    unchanged.

    For text that must be shown although it is not clean: events stored before the rule existed, and text
    the server itself composes from a request (an access log's refused action). Escapes rather than U+FFFD:
    whoever reads the view sees which code point the stored event holds (the record's history shows the same
    escape in its JSON), different characters stay different (a plan's name keys a view's affiliations), and
    the result is plain ASCII that every client, terminal and log shows as it is."""
    refused = _REFUSED_IN_MULTILINE if multiline else _REFUSED_IN_LINE
    if refused.search(value) is None:
        return value
    return refused.sub(lambda found: _escape(found.group()), value)


def _escape(character: str) -> str:
    point = ord(character)
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def _kind_of(character: str) -> str:
    point = ord(character)
    if 0xD800 <= point <= 0xDFFF:
        return "a lone surrogate"
    if 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE:
        return "a non-character"
    return "a control character"
