"""What route handlers receive by name (Litestar dependency injection): the application service, the read
models' pool, NATS, and the command runner. The lifespan in ``services/api/app.py`` opens them once."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from nats.aio.client import Client as Nats

from services.api.change_signal import ChangeSignal
from services.api.commands import CommandRunner, command_runner
from services.app import Credledger


def _credledger(state: State) -> Credledger:
    credledger: Credledger = state.credledger
    return credledger


def _read_pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.read_pool
    return pool


def _nats(state: State) -> Nats:
    nats: Nats = state.nats
    return nats


def _change_signal(state: State) -> ChangeSignal:
    signal: ChangeSignal = state.change_signal
    return signal


def _jwt_secret(state: State) -> str:
    secret: str = state.jwt_secret
    return secret


DEPENDENCIES: dict[str, Any] = {
    "credledger": Provide(_credledger, sync_to_thread=False),
    "read_pool": Provide(_read_pool, sync_to_thread=False),
    "nats": Provide(_nats, sync_to_thread=False),
    "change_signal": Provide(_change_signal, sync_to_thread=False),
    "command": Provide(command_runner),
    "jwt_secret": Provide(_jwt_secret, sync_to_thread=False),
}

# What a handler declares to receive them, by the names above: explicit markers, so Litestar never has to guess
# whether a parameter is a dependency (it stops guessing in 3.0).
Service = NamedDependency[Credledger]
Runner = NamedDependency[CommandRunner]
ReadPool = NamedDependency[asyncpg.Pool]
NatsClient = NamedDependency[Nats | None]
ChangeSignalDependency = NamedDependency[ChangeSignal]
JwtSecret = NamedDependency[str]
