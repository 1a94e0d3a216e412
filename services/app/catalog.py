"""The application service's command use cases, found by their type hints, not by name: a public method of the
service with a parameter annotated with a ``Command`` subclass (``services/app/<aggregate>_commands.py``).

The workload generator's steps name a use case by the method itself (``Credledger.submit_application``), an
import (onboarding.py) by the method's name: a command type alone would not do, since a few use cases share one
(grant_access and revoke_access both take ``ChangeAccess``; record_departure, reset_password, deactivate and
reactivate ``OnDate``).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from services.app.commands import Command

UseCase = Callable[..., Any]  # a method of the application service, unbound: Credledger.submit_application


def _command_parameter(use_case: UseCase) -> tuple[str, type[Command]] | None:
    """The name and type of the use case's parameter annotated with a Command subclass, if it has one."""
    hints = typing.get_type_hints(use_case)
    found = [
        (name, hint)
        for name, hint in hints.items()
        if name != "return" and isinstance(hint, type) and issubclass(hint, Command)
    ]
    if len(found) > 1:
        raise TypeError(f"{use_case.__qualname__} takes more than one command: {found}")
    return found[0] if found else None


@cache
def command_type(use_case: UseCase) -> type[Command]:
    """The command type the use case takes: ``command_type(Credledger.submit_application) is SubmitApplication``."""
    parameter = _command_parameter(use_case)
    if parameter is None:
        raise TypeError(f"{use_case.__qualname__} is not a command use case (no parameter of a Command type)")
    return parameter[1]


@cache
def path_parameters(use_case: UseCase) -> tuple[str, ...]:
    """The use case's arguments between the actor and the command, in order: the aggregate's id and, for a few,
    another path parameter (``("application_id", "deficiency_id")``); none for a creating command. The API's route
    for the use case has the same path parameters, in the same order (HttpTarget checks it)."""
    name, _ = _command_parameter(use_case) or (None, None)
    names = list(inspect.signature(use_case).parameters)
    if name is None or names[:2] != ["self", "actor"]:
        raise TypeError(f"{use_case.__qualname__} is not a use case (self, actor, ..., command)")
    return tuple(names[2 : names.index(name)])


@cache
def command_use_cases(service: type) -> dict[UseCase, type[Command]]:
    """Every command use case of the application service class (its public methods defined in its own package,
    ``services.app``, that take a command), with the command type each takes."""
    package = service.__module__
    found: dict[UseCase, type[Command]] = {}
    for name, member in inspect.getmembers(service, inspect.isfunction):
        own = member.__module__ == package or member.__module__.startswith(package + ".")
        if name.startswith("_") or not own:
            continue
        parameter = _command_parameter(member)
        if parameter is not None:
            found[member] = parameter[1]
    return found
