"""Where a delivery may go, checked when it is sent: the endpoint's name resolved now, every address public and
none of this machine's own. Registration checks the URL as written (domain/webhooks.py); a name can point
elsewhere later (DNS rebinding), so it is resolved again before each delivery."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from urllib.parse import urlsplit

from domain.webhooks import public_address, public_host


@functools.cache
def own_addresses() -> frozenset[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """This machine's addresses, as its own name resolves (a public address of the service's host included)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return frozenset()
    return frozenset(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)


async def refusal(url: str, *, allow_local: bool) -> str | None:
    """Why the URL may not be called now, or None. Resolution failures are not refusals: the send fails and is
    retried like any unreachable endpoint."""
    if allow_local:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not public_host(host):
        return f"{host} is not a public internet host"
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        return None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not public_address(address) or address in own_addresses():
            return f"{host} resolves to {address}, an address of this machine or a private network"
    return None
