"""Webhooks, as a firm states them: which messages an endpoint receives, where it may point, and when a delivery
that failed is tried again.

A message's type is its record and event, ``organization.Registered``, or a view's change, ``view.access_audit``.
An endpoint subscribes to exact types, to a record's every event (``application.*``), to every view (``view.*``)
or to everything (``*``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from domain.access_log import AccessLog
from domain.application import Application
from domain.errors import InvalidValue
from domain.organization import Organization
from domain.practitioner import Practitioner
from domain.task import Task
from domain.user_account import UserAccount

VIEWS = ("affiliation_status", "access_audit", "turnaround", "expirables", "work_queue", "participation")
RECORDS = (Organization, UserAccount, Application, Practitioner, Task, AccessLog)
MAX_SUBSCRIPTIONS = 100
MAX_URL_LENGTH = 2000

# A delivery is tried again after 10 s, then twice as long each time, at most two hours apart, for a day.
RETRY_WINDOW = timedelta(days=1)
FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=2)


def record_name(aggregate: type) -> str:
    """``UserAccount`` -> ``user_account``: the record part of a message type, as the history names records."""
    return _snake(aggregate.__name__)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def message_type(event: object) -> str:
    """An event's message type: ``Organization.Registered`` -> ``organization.Registered``."""
    owner, name = type(event).__qualname__.split(".")[:2]
    return f"{_snake(owner)}.{name}"


def _event_types() -> frozenset[str]:
    found = set()
    for aggregate in RECORDS:
        for name, member in vars(aggregate).items():
            if isinstance(member, type) and issubclass(member, aggregate.Event) and member is not aggregate.Event:
                found.add(f"{record_name(aggregate)}.{name}")
    return frozenset(found)


EVENT_TYPES = _event_types()
VIEW_TYPES = frozenset(f"view.{view}" for view in VIEWS)
PATTERNS = frozenset({"*", "view.*", *(f"{record_name(aggregate)}.*" for aggregate in RECORDS)})


def check_subscriptions(types: Iterable[str]) -> list[str]:
    """The types an endpoint asks for, each a known type or pattern, once each, in the order given."""
    chosen = list(dict.fromkeys(types))
    if not chosen:
        raise InvalidValue('Name at least one message type (e.g. "*" for every one).', field="event_types")
    if len(chosen) > MAX_SUBSCRIPTIONS:
        raise InvalidValue(f"At most {MAX_SUBSCRIPTIONS} message types.", field="event_types")
    unknown = [name for name in chosen if name not in EVENT_TYPES | VIEW_TYPES | PATTERNS]
    if unknown:
        raise InvalidValue(
            f"Unknown message type {unknown[0]!r}: a record's event (e.g. organization.Registered), a record's every "
            "event (e.g. application.*), a view's change (e.g. view.access_audit), view.* or *.",
            field="event_types",
        )
    return chosen


def subscribed(subscriptions: Iterable[str], message_type: str) -> bool:
    record = message_type.split(".", 1)[0]
    return any(name in ("*", message_type, f"{record}.*") for name in subscriptions)


def check_url(url: str, *, allow_local: bool) -> str:
    """An endpoint's address: https, no credentials in it, and not a host of this machine or a private network
    (which would let a firm reach what only the service should: server-side request forgery). ``allow_local``
    (a setting for local tests) lets http and such hosts through. Names are checked again, resolved, before each
    delivery (services/webhooks/addresses.py)."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidValue(f"At most {MAX_URL_LENGTH} characters.", field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as error:
        raise InvalidValue(f"Not a URL: {error}.", field="url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidValue("An absolute https:// URL is required.", field="url")
    if any(character.isspace() or not character.isprintable() for character in url):
        raise InvalidValue("A URL has no spaces or control characters.", field="url")
    host = parts.hostname.rstrip(".")
    if not HOST_NAME.fullmatch(host) and not _address(host):
        raise InvalidValue(f"{parts.hostname} is not a host name (an international one in its xn-- form).", field="url")
    if parts.scheme == "http" and not allow_local:
        raise InvalidValue("Only https:// endpoints are allowed (deliveries carry the firm's records).", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidValue(
            "Credentials in the URL would be stored and logged: verify the signature instead.", field="url"
        )
    if parts.fragment:
        raise InvalidValue("A URL fragment is never sent: leave it out.", field="url")
    if not allow_local and not public_host(parts.hostname):
        raise InvalidValue(f"{parts.hostname} is not a public internet host.", field="url")
    return url


# A host name as DNS has it: letters, digits and hyphens, labels of 1-63 (an international name in its xn-- form).
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def public_host(host: str) -> bool:
    """Whether a host name or address may be reached: not localhost, not a loopback, private, link-local (cloud
    metadata), multicast, reserved or unspecified address, nor one of those inside an IPv6 mapping."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost") or name.endswith(".internal"):
        return False
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return True  # a name: its addresses are checked when it is resolved
    return public_address(address)


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address carried inside an IPv6 one (mapped, 6to4, Teredo) is judged as itself.
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None:
            return public_address(inner)
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def next_attempt(
    attempts: int, now: datetime, retry_until: datetime, first: timedelta = FIRST_RETRY
) -> datetime | None:
    """When to try again after ``attempts`` failed tries (1, 2, ...): ``first``, then twice as long each time, at
    most LONGEST_RETRY apart; None once that is past ``retry_until`` (the delivery has failed)."""
    delay = min(first * 2 ** min(attempts - 1, 20), max(LONGEST_RETRY, first))
    moment = now + delay
    return moment if moment <= retry_until else None
