"""Webhooks as the firm states them: the addresses an endpoint may have, the message types it may ask for, which
messages reach it, and when a failed delivery is tried again."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidValue
from domain.organization import Organization
from domain.webhooks import (
    EVENT_TYPES,
    LONGEST_RETRY,
    RETRY_WINDOW,
    check_subscriptions,
    check_url,
    message_type,
    next_attempt,
    public_address,
    subscribed,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # not https
        "https://127.0.0.1/x",
        "https://localhost:8443/x",
        "https://api.localhost/x",
        "https://10.1.2.3/x",
        "https://192.168.0.10/x",
        "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",  # loopback inside an IPv6 mapping
        "https://[fd00::1]/x",
        "https://0.0.0.0/x",
        "https://224.0.0.1/x",
        "https://user:pass@hooks.example.com/x",  # credentials would be stored and logged
        "https://hooks.example.com/x#part",
        "ftp://hooks.example.com/x",
        "hooks.example.com/x",
        "https://hooks.example.com:99999/x",
        "https://a..b.com/x",  # an empty label
        "https://" + "a" * 64 + ".com/x",  # a label over 63
        "https://exa\tmple.com/x",
        "https://a\u200d.com/x",  # an invisible joiner
        "https://\u2488.com/x",  # not a host name until folded: give its xn-- form
        "https://[2002:7f00:1::]/x",  # 127.0.0.1 inside 6to4
    ],
)
def test_production_refuses_what_is_not_a_public_https_endpoint(url: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_url(url, allow_local=False)
    assert refused.value.field == "url"


def test_public_https_endpoints_are_taken_and_local_ones_only_with_the_setting() -> None:
    for url in ("https://hooks.example.com/credledger", "https://8.8.8.8:8443/x", "https://[2606:4700::1111]/x"):
        assert check_url(url, allow_local=False) == url
    for url in ("http://127.0.0.1:9000/hook", "https://localhost/x", "http://[::1]:81/"):
        assert check_url(url, allow_local=True) == url
    for url in ("ftp://127.0.0.1/x", "http://u:p@127.0.0.1/x", "http://127.0.0.1/x#y"):
        with pytest.raises(InvalidValue):
            check_url(url, allow_local=True)  # the setting opens local hosts, not everything
    with pytest.raises(InvalidValue):
        check_url("https://" + "a" * 2000 + ".com", allow_local=False)


def test_addresses_are_public_only_if_globally_routable() -> None:
    assert public_address(ipaddress.ip_address("93.184.216.34"))
    assert not public_address(ipaddress.ip_address("100.64.0.1"))  # carrier-grade NAT
    assert not public_address(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert not public_address(ipaddress.ip_address("ff02::1"))


def test_subscriptions_name_known_types_and_patterns() -> None:
    assert {"organization.Registered", "user_account.AccessGranted", "application.Approved"} <= EVENT_TYPES
    chosen = check_subscriptions(["application.*", "view.access_audit", "application.*", "organization.Registered"])
    assert chosen == ["application.*", "view.access_audit", "organization.Registered"]  # once each, in order
    assert check_subscriptions(["*"]) == ["*"]
    for wrong in ([], ["organization.Registerd"], ["view.nothing"], ["organisation.*"], ["x"] * 101):
        with pytest.raises(InvalidValue) as refused:
            check_subscriptions(wrong)
        assert refused.value.field == "event_types"


def test_a_message_reaches_the_endpoints_subscribed_to_it() -> None:
    assert subscribed(["*"], "organization.Registered")
    assert subscribed(["organization.*"], "organization.Registered")
    assert subscribed(["organization.Registered"], "organization.Registered")
    assert subscribed(["view.*"], "view.access_audit")
    assert not subscribed(["organization.Registered"], "organization.PinLetterReceived")
    assert not subscribed(["application.*", "view.expirables"], "view.access_audit")
    assert not subscribed(["user_account.*"], "organization.Registered")


def test_an_events_message_type_names_its_record_and_event() -> None:
    event = object.__new__(Organization.Registered)
    assert message_type(event) == "organization.Registered"


def test_a_failed_delivery_is_tried_again_twice_as_late_each_time_for_a_day() -> None:
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    until = start + RETRY_WINDOW
    delays = []
    now, attempts = start, 0
    while True:
        attempts += 1
        retry = next_attempt(attempts, now, until)
        if retry is None:
            break
        delays.append(retry - now)
        now = retry
    assert delays[:4] == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40), timedelta(seconds=80)]
    assert max(delays) == LONGEST_RETRY  # never more than two hours apart
    assert now <= until and now + LONGEST_RETRY > until  # it kept trying until the day was out
    assert 15 <= len(delays) <= 25
    assert next_attempt(1, start, until, first=timedelta(seconds=0.2)) == start + timedelta(seconds=0.2)
    assert next_attempt(500, start, until) == start + LONGEST_RETRY  # no overflow however many attempts


class _Loop:
    """An event loop whose name lookups answer what a test says."""

    def __init__(self, answer: list[str] | OSError) -> None:
        self.answer = answer

    async def getaddrinfo(self, host: str, port: int, **_: object) -> list[tuple]:
        if isinstance(self.answer, OSError):
            raise self.answer
        return [(None, None, None, "", (address, port)) for address in self.answer]


async def test_a_delivery_connects_only_to_an_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from services.webhooks import addresses

    def resolving(answer: list[str] | OSError) -> None:
        monkeypatch.setattr(asyncio, "get_running_loop", lambda: _Loop(answer))

    resolving(["93.184.216.34"])
    assert await addresses.checked_address("https://hooks.example.com/x", allow_local=False) == "93.184.216.34"
    for inside in (["93.184.216.34", "127.0.0.1"], ["169.254.169.254"], ["10.0.0.7"], ["::ffff:192.168.1.1"]):
        resolving(inside)  # a name that points inside (rebinding, or one of several answers)
        with pytest.raises(addresses.Refused):
            await addresses.checked_address("https://hooks.example.com/x", allow_local=False)
    resolving(OSError("no such name"))  # not resolved: not allowed either, tried again later
    with pytest.raises(OSError):
        await addresses.checked_address("https://hooks.example.com/x", allow_local=False)
    resolving(["127.0.0.1"])
    assert await addresses.checked_address("http://127.0.0.1:9/x", allow_local=True) == "127.0.0.1"
