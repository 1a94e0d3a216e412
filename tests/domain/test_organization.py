"""Organization.register: validation, the Registered event, and that failures emit nothing."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import InvalidValue
from domain.organization import EntityKind, Organization

# Real NPI-2 numbers (tests/fixtures/nppes/api_v21_npi2_*.json).
PEACH_STATE_NPI = "1174270805"
VIOS_NPI = "1225701881"


def register(**overrides):
    kwargs = dict(
        tenant_id="firm-a",
        legal_name="PEACH STATE MEDICAL PRACTICE, PC",
        npi=PEACH_STATE_NPI,
        entity_kind=EntityKind.GROUP,
        actor="user-42",
        reason="new client",
    )
    kwargs.update(overrides)
    return Organization.register(**kwargs)


@pytest.fixture
def create_calls(monkeypatch):
    """Records every attempt to construct Organization's created event."""
    calls = []
    original = Organization._create.__func__

    def spy(cls, *args, **kwargs):
        calls.append(kwargs)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Organization, "_create", classmethod(spy))
    return calls


def test_register_sets_fields_and_emits_one_registered_event():
    org = register()
    assert isinstance(org.id, UUID)
    assert org.version == 1
    assert org.tenant_id == "firm-a"
    assert org.legal_name == "PEACH STATE MEDICAL PRACTICE, PC"
    assert org.npi == PEACH_STATE_NPI
    assert org.entity_kind is EntityKind.GROUP

    events = org.collect_events()
    assert len(events) == 1
    (registered,) = events
    assert type(registered) is Organization.Registered
    assert registered.originator_id == org.id
    assert registered.originator_version == 1
    assert registered.tenant_id == "firm-a"
    assert registered.actor == "user-42"
    assert registered.reason == "new client"
    assert registered.legal_name == "PEACH STATE MEDICAL PRACTICE, PC"
    assert registered.npi == PEACH_STATE_NPI
    assert registered.entity_kind is EntityKind.GROUP
    assert org.collect_events() == []


def test_register_coerces_strings_and_strips_the_name():
    org = register(
        legal_name="  VIOS FERTILITY INSTITUTE MICHIGAN PLLC \n", npi=VIOS_NPI, entity_kind="facility", reason=None
    )
    assert org.legal_name == "VIOS FERTILITY INSTITUTE MICHIGAN PLLC"
    assert org.entity_kind is EntityKind.FACILITY
    (registered,) = org.collect_events()
    assert registered.legal_name == "VIOS FERTILITY INSTITUTE MICHIGAN PLLC"
    assert registered.reason is None


def test_reason_defaults_to_none():
    org = Organization.register(
        tenant_id="firm-a", legal_name="X", npi=PEACH_STATE_NPI, entity_kind="group", actor="user-1"
    )
    (registered,) = org.collect_events()
    assert registered.actor == "user-1"
    assert registered.reason is None


def test_each_registration_is_a_new_aggregate():
    assert register().id != register().id


def test_boundary_values_are_accepted():
    assert register(legal_name="N" * 200).legal_name == "N" * 200
    assert register(tenant_id="t" * 64).tenant_id == "t" * 64
    assert register(tenant_id="A-z_0").tenant_id == "A-z_0"
    assert register(tenant_id="x").tenant_id == "x"


@pytest.mark.parametrize("npi", ["1174270806", "117427080", "11742708050", "3174270805", "117427080X", 1174270805])
def test_invalid_npi_is_refused(npi, create_calls):
    with pytest.raises(InvalidValue) as caught:
        register(npi=npi)
    assert caught.value.field == "npi"
    assert caught.value.rule == "invalid-npi"
    assert create_calls == []


@pytest.mark.parametrize("legal_name", ["", "   ", "\t\n", None, "N" * 201])
def test_empty_or_too_long_legal_name_is_refused(legal_name, create_calls):
    with pytest.raises(InvalidValue) as caught:
        register(legal_name=legal_name)
    assert caught.value.field == "legal_name"
    assert caught.value.rule == "invalid-value"
    assert create_calls == []


@pytest.mark.parametrize(
    "tenant_id",
    ["firm.a", "", "t" * 65, "*", ">", "firm-*", "firm>", "firm a", "firm\ta", "fírm", None, 7],
)
def test_bad_tenant_id_is_refused(tenant_id, create_calls):
    with pytest.raises(InvalidValue) as caught:
        register(tenant_id=tenant_id)
    assert caught.value.field == "tenant"
    assert caught.value.rule == "invalid-tenant"
    assert create_calls == []


@pytest.mark.parametrize("tenant_id", ["firm-a\n", "t" * 64 + "\n"])
def test_tenant_id_with_trailing_newline_is_refused(tenant_id):
    with pytest.raises(InvalidValue) as caught:
        register(tenant_id=tenant_id)
    assert caught.value.rule == "invalid-tenant"


def test_unknown_entity_kind_is_refused(create_calls):
    with pytest.raises(ValueError):
        register(entity_kind="hospital_chain")
    assert create_calls == []


def test_the_spy_sees_a_successful_registration(create_calls):
    # Control for the "nothing emitted" assertions above: the spy does record real attempts.
    org = register()
    assert len(create_calls) == 1
    assert create_calls[0]["npi"] == PEACH_STATE_NPI
    assert len(org.collect_events()) == 1
