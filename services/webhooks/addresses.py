"""Where a delivery may go, decided when it is sent. Registration checks the URL as written (domain/webhooks.py);
a name can point elsewhere later (DNS rebinding), so it is resolved here before each delivery, every address it
has must be public and none this machine's own, and the delivery then connects to the address checked, not to
whatever a second lookup would answer."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from urllib.parse import urlsplit

from domain.webhooks import public_address, public_host

RESOLVE_TIMEOUT = 5.0  # seconds


class Refused(Exception):
    """The endpoint's host is not one deliveries may reach: trying again changes nothing."""


@functools.cache
def own_addresses() -> frozenset[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """This machine's addresses, as its own name resolves (a public address of the service's host included)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return frozenset()
    return frozenset(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)


async def checked_address(url: str, *, allow_local: bool) -> str:
    """The address to connect to for ``url``. Raises Refused (final) for a host of this machine or a private
    network, unless ``allow_local``; OSError or TimeoutError (try again later) when the name does not resolve."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not allow_local and not public_host(host):
        raise Refused(f"{host} is not a public internet host")
    async with asyncio.timeout(RESOLVE_TIMEOUT):
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} has no address")
    for address in addresses:
        if not allow_local and (not public_address(address) or address in own_addresses()):
            raise Refused(f"{host} resolves to {address}, an address of this machine or a private network")
    return str(addresses[0])
