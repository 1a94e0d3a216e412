"""A minimal HTTP/1.1 keep-alive client over asyncio streams, for the load generators.

On a 2-core machine the load generator shares the CPU with the service it measures: httpx with 64
concurrent connections spent 7-13 ms of CPU per request here, as much as the server itself, so it
capped the figure it was meant to measure. This client costs a fraction of that: one connection per
simulated client, requests written as bytes, responses read by Content-Length (or chunks).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msgspec

_encode = msgspec.json.encode


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return msgspec.json.decode(self.content)


class TransportError(Exception):
    """No response: the connection failed or closed mid-request."""


class Connection:
    def __init__(self, base_url: str, timeout: float = 60) -> None:
        url = urlsplit(base_url)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 80
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._reader = self._writer = None

    async def request(
        self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        try:
            return await asyncio.wait_for(self._request(method, path, json, headers or {}), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            await self.close()
            raise TransportError(f"{type(error).__name__}: {error}") from error

    async def _request(self, method: str, path: str, json: Any, headers: dict[str, str]) -> Response:
        if self._writer is None:
            await self._connect()
        assert self._reader is not None and self._writer is not None
        body = b"" if json is None else _encode(json)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        if json is not None:
            head.append("Content-Type: application/json")
        head.extend(f"{k}: {v}" for k, v in headers.items())
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await self._reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        response_headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                response_headers[name.strip().lower()] = value.strip()
        if "content-length" in response_headers:
            content = await self._reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._read_chunks()
        else:
            content = b""
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, response_headers, content)

    async def _read_chunks(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)
