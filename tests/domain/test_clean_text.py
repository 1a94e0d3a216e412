"""Clean text at the boundary (issue 11, finding 1): every text field of every command refuses control
characters, DEL, C1, non-characters and lone surrogates (tab and line feed only in multi-line texts) with an
InvalidValue naming the field, and changes nothing; every other text (letters, accents, other scripts, emoji)
is accepted. Property-based, over the table of every command's text fields in text_fields.py.

The characters refused are written out here from the rule itself (``refused``), not taken from domain/text.py,
so a mistake in the module's pattern fails these tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.address import Address
from domain.base import check_text
from domain.errors import DomainError, InvalidValue
from domain.text import check_event_text, clean_text, escape_text, first_refused
from tests.domain.builders import register_peach, state_of
from tests.domain.text_fields import ACTOR, COMMANDS, FIELDS, TextField, access_log

# --- the rule, written out independently of domain/text.py ----------------------------------------------


def refused(character: str, multiline: bool = False) -> bool:
    point = ord(character)
    return (
        (point < 0x20 and not (multiline and character in "\t\n"))
        or 0x7F <= point <= 0x9F
        or 0xFDD0 <= point <= 0xFDEF
        or point & 0xFFFF in (0xFFFE, 0xFFFF)
        or 0xD800 <= point <= 0xDFFF
    )


_REFUSED_POINTS = st.one_of(
    st.integers(0x00, 0x1F),
    st.just(0x7F),
    st.integers(0x80, 0x9F),
    st.integers(0xFDD0, 0xFDEF),
    st.integers(0, 16).flatmap(lambda plane: st.sampled_from([plane << 16 | 0xFFFE, plane << 16 | 0xFFFF])),
    st.integers(0xD800, 0xDFFF),
)


def refused_characters(multiline: bool) -> st.SearchStrategy[str]:
    return _REFUSED_POINTS.map(chr).filter(lambda c: refused(c, multiline))


def allowed_text(multiline: bool, max_size: int = 20) -> st.SearchStrategy[str]:
    """Clean text: any character the rule allows (other scripts, accents, emoji, unassigned code points...)."""
    anything = st.characters(blacklist_categories=("Cs",)).filter(lambda c: not refused(c, multiline))
    ordinary = st.sampled_from(list("aZ9 -.,'&#/éÉñüçøÆßЖж中文한글😀👩‍⚕️")) | st.sampled_from(
        "\t\n" if multiline else " "
    )
    return st.text(anything | ordinary, max_size=max_size)


def clean_value(multiline: bool) -> st.SearchStrategy[str]:
    """Clean text a field takes: it starts with a letter (so it is not blank) and fits the shortest limit."""
    return st.builds(lambda first, rest: first + rest, st.sampled_from("AéЖ中😀"), allowed_text(multiline))


def unclean_value(multiline: bool) -> st.SearchStrategy[str]:
    """Text with at least one refused character somewhere (first, last, in the middle, or alone)."""
    marker = "Zq9"  # so a test can check that the message does not quote the text
    return st.builds(
        lambda before, bad, after: marker + before + bad + after,
        allowed_text(multiline, 8),
        refused_characters(multiline),
        allowed_text(multiline, 8),
    ) | refused_characters(multiline)


_EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(case: TextField, text: str) -> tuple[Any, Any]:
    aggregate = case.setup()
    before = None if aggregate is None else (aggregate.version, state_of(aggregate))
    try:
        result = case.act(aggregate, text)
    except DomainError:
        if aggregate is not None:  # refused: the aggregate is exactly as it was
            assert (aggregate.version, state_of(aggregate)) == before
            assert aggregate.pending_events == []
        raise
    return aggregate, result


@pytest.mark.parametrize("case", FIELDS, ids=str)
@_EXAMPLES
@given(data=st.data())
def test_unclean_text_is_refused_naming_the_field_and_changes_nothing(case: TextField, data: st.DataObject) -> None:
    text = data.draw(unclean_value(case.multiline))
    with pytest.raises(InvalidValue) as caught:
        _run(case, text)
    assert caught.value.field == case.field, caught.value.message
    if case.free:
        assert caught.value.rule == "invalid-text"
    if caught.value.rule == "invalid-text":
        assert "Zq9" not in caught.value.message  # the message names the character, never the text (PII)
        bad = next(c for c in text if refused(c, case.multiline))
        assert f"U+{ord(bad):04X}" in caught.value.message


@pytest.mark.parametrize("case", FIELDS, ids=str)
@_EXAMPLES
@given(data=st.data())
def test_clean_text_is_accepted(case: TextField, data: st.DataObject) -> None:
    text = data.draw(clean_value(case.multiline))
    if not case.free:
        try:  # a code, or a name of something existing: refused, if at all, by that rule
            _run(case, text)
        except DomainError as error:
            assert error.rule != "invalid-text", error.message
        return
    aggregate, result = _run(case, text)
    made = aggregate if aggregate is not None else result
    stored = [vars(event) for event in made.pending_events]
    assert stored, "the command recorded nothing"
    # The text is recorded as given (names: without surrounding spaces).
    assert any(text.strip() in str(value) for state in stored for value in _texts(state)), stored


def _texts(state: dict[str, Any]) -> list[str]:
    found = []
    for value in state.values():
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(_texts({i: v for i, v in enumerate(value)}))
        elif hasattr(value, "__dict__"):
            found.extend(_texts(vars(value)))
    return found


def test_every_command_carries_a_checked_reason() -> None:
    """The table misses no command: each use case of the application layer is listed with its reason."""
    from services.app import Credledger
    from services.workload import command_use_cases

    # The use cases that take a command (found by their type hints): every command carries a reason.
    use_cases = {use_case.__name__ for use_case in command_use_cases(Credledger)}
    listed = {command.name for command in COMMANDS}
    assert len(use_cases) > 25 and use_cases <= listed, use_cases - listed


# --- the rule itself ------------------------------------------------------------------------------------


@given(text=allowed_text(multiline=False, max_size=200))
def test_clean_single_line_text_passes_unchanged(text: str) -> None:
    assert clean_text(text, field="f") is text
    assert first_refused(text) is None
    assert escape_text(text, multiline=False) is text


@given(text=unclean_value(multiline=False))
def test_any_refused_character_is_found(text: str) -> None:
    assert first_refused(text) == next(c for c in text if refused(c))


def test_every_refused_character_is_found_and_named() -> None:
    """Exhaustively, over the whole of Unicode: the module finds exactly the characters the rule refuses (its
    fast path trusts that all of them are unprintable to Python), and names their kind."""
    for point in range(0x110000):
        character = chr(point)
        for multiline in (False, True):
            assert (first_refused(f"ok {character}", multiline=multiline) is not None) == refused(character, multiline)
    kinds = {point: clean_text_error(chr(point)) for point in (0x00, 0x9F, 0xFDD0, 0x10FFFF, 0xDC00)}
    assert [kind.split(", ")[1].split(";")[0] for kind in kinds.values()] == [
        "a control character",
        "a control character",
        "a non-character",
        "a non-character",
        "a lone surrogate",
    ]


def clean_text_error(character: str) -> str:
    with pytest.raises(InvalidValue) as caught:
        clean_text(f"a{character}", field="f")
    return caught.value.message


@pytest.mark.parametrize("character", ["\t", "\n"])
def test_tab_and_line_feed_only_in_multi_line_text(character: str) -> None:
    assert clean_text(f"first{character}second", field="reason", multiline=True) == f"first{character}second"
    with pytest.raises(InvalidValue) as caught:
        clean_text(f"first{character}second", field="legal_name")
    assert (caught.value.field, caught.value.rule) == ("legal_name", "invalid-text")


@pytest.mark.parametrize(
    "point", [0x00, 0x0D, 0x1B, 0x7F, 0x85, 0x9F, 0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF, 0xD800, 0xDFFF]
)
def test_each_kind_of_refused_character(point: int) -> None:
    for multiline in (False, True):
        with pytest.raises(InvalidValue):
            clean_text(f"a{chr(point)}b", field="f", multiline=multiline)


@pytest.mark.parametrize(
    "text",
    [
        "Zoë Brontë",
        "São Paulo Clínica",
        "Жанна",
        "中文诊所",
        "한글",
        "Dr 😀 👩‍⚕️",
        "O'Brien & Sons, P.C.",
        "\u00a0NBSP",
        "\u200dZWJ",
        "\U0010fffd",
    ],
)
def test_ordinary_unicode_is_clean(text: str) -> None:
    assert clean_text(text, field="f") == text


def test_not_a_string_is_refused() -> None:
    for value in (None, 5, b"bytes", ["a"]):
        with pytest.raises(InvalidValue) as caught:
            clean_text(value, field="f")
        assert caught.value.field == "f"


def test_names_are_still_trimmed_and_bounded() -> None:
    assert check_text("  Jo Dunn  ", field="person_name") == "Jo Dunn"
    with pytest.raises(InvalidValue):
        check_text(" Jo\n", field="person_name")  # a line feed is refused, not trimmed away


@given(text=st.text(st.characters(), max_size=60))
def test_escaping_makes_any_text_clean_and_keeps_clean_text(text: str) -> None:
    escaped = escape_text(text)
    assert first_refused(escaped, multiline=True) is None
    assert "\x00" not in escaped
    if not any(refused(c, multiline=True) for c in text):
        assert escaped is text
    else:
        assert escaped != text
    if "\x00" in text:
        assert "\\u0000" in escaped


def test_escapes_are_visible_code_points() -> None:
    assert escape_text("Evil\x00Clinic") == "Evil\\u0000Clinic"
    assert escape_text("a\x85b\U0001ffffc") == "a\\u0085b\\U0001ffffc"
    assert escape_text("line\ttab\nnext") == "line\ttab\nnext"  # multi-line by default
    assert escape_text("line\nnext", multiline=False) == "line\\u000anext"


def test_the_event_backstop_names_nested_fields() -> None:
    """What TenantAggregate checks on every new event, however a command built it (an Address made directly,
    without Address.parse)."""
    address = Address("1 Main\x00St", "Boston", "MA", "02108")
    with pytest.raises(InvalidValue) as caught:
        check_event_text({"legal_name": "ok", "practice_address": address})
    assert caught.value.field == "practice_address.line1"
    with pytest.raises(InvalidValue) as caught:
        register_peach(mailing_address=address)
    assert caught.value.field == "mailing_address.line1"
    with pytest.raises(InvalidValue) as caught:
        check_event_text({"missing_items": ["a", "b\x7f"]})
    assert caught.value.field == "missing_items[1]"
    check_event_text({"reason": "line one\n\tline two", "on": date(2026, 1, 1), "id": uuid4()})


def test_an_unclean_actor_is_refused_too() -> None:
    """The acting user's id comes from the token, not the body, but is stored in every event."""
    with pytest.raises(InvalidValue) as caught:
        register_peach(actor="pat\x00")
    assert caught.value.field == "actor"


def test_a_refusal_is_recorded_whatever_the_path_held() -> None:
    """The server composes a refusal's action from the request's path: escaped, not refused."""
    log = access_log()
    log.record_refusal(action="POST /v1/x\x00\n", actor=ACTOR, actor_role="viewer", reason="may not\x00")
    event = log.pending_events[-1]
    assert (event.action, event.reason) == ("POST /v1/x\\u0000\\u000a", "may not\\u0000")


def test_a_stored_event_with_unclean_text_still_replays() -> None:
    """The check is on new events only: stores written before it must still load (their views escape)."""
    organization = register_peach()
    registered = copy.copy(organization.pending_events[0])
    object.__setattr__(registered, "legal_name", "Evil\x00Clinic")
    replayed = registered.mutate(None)
    assert replayed.legal_name == "Evil\x00Clinic"
