"""The API's route for each command use case, read off the Litestar app itself (services/api/app.py): no
hand-written table to keep in step with the controllers.

A command route's ``data`` parameter is annotated with the command type, which names the use case; where several
use cases take the same type (grant_access and revoke_access both take ``ChangeAccess``), the route's is the one
its handler calls. The route's path parameters must be the use case's arguments before the command, in order
(``application_id, deficiency_id``): a step's ``ids`` fill both.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from services.app.catalog import UseCase, command_use_cases, path_parameters

_PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")  # Litestar's "{application_id:uuid}"


@dataclass(frozen=True)
class Route:
    """``template``: the path with its parameters as ``{name}``; ``parameters``: their names, in order."""

    template: str
    parameters: tuple[str, ...]

    def path(self, ids: tuple[Any, ...]) -> str:
        """The path for the use case's arguments before the command (the step's resolved ``ids``)."""
        values = {name: quote(str(value), safe="") for name, value in zip(self.parameters, ids, strict=True)}
        return self.template.format(**values)


@cache
def command_routes() -> dict[UseCase, Route]:
    """``{use case: its POST route}`` for every command route of the API. Builds the app once (it is never served:
    nothing connects, the settings are placeholders)."""
    from litestar.handlers import HTTPRouteHandler

    from services.api.app import create_app
    from services.app import Credledger
    from services.config import Settings

    placeholder = Settings(
        database_url=None, nats_url=None, data_dir=Path(tempfile.gettempdir()), jwt_secret="never served"
    )
    by_type: dict[type, list[UseCase]] = {}
    for use_case, command in command_use_cases(Credledger).items():
        by_type.setdefault(command, []).append(use_case)
    routes: dict[UseCase, Route] = {}
    for route in create_app(placeholder).routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler) or "POST" not in handler.http_methods:
                continue
            body = handler.parsed_fn_signature.parameters.get("data")
            if body is None or body.annotation not in by_type:
                continue  # not a command route
            use_case = _called(handler, by_type[body.annotation])
            found = Route(_PARAMETER.sub(r"{\1}", route.path), tuple(_PARAMETER.findall(route.path)))
            if found.parameters != path_parameters(use_case) or use_case in routes:
                raise RuntimeError(
                    f"POST {route.path} does not fit {use_case.__qualname__} (arguments "
                    f"{path_parameters(use_case)}), or another route runs it too"
                )
            routes[use_case] = found
    return routes


def _called(handler: Any, candidates: list[UseCase]) -> UseCase:
    """The use case a command route runs: the one taking its body's type or, where several do, the one its
    handler's code calls (``command.run(credledger.grant_access, ...)``)."""
    if len(candidates) > 1:
        called = set(handler.fn.__code__.co_names)
        candidates = [use_case for use_case in candidates if use_case.__name__ in called]
    if len(candidates) != 1:
        raise RuntimeError(f"cannot tell which use case {handler} runs: {candidates}")
    return candidates[0]
