"""Onboarding with history: a batch of commands, each with the day its fact happened, run as one.

A firm that takes on a client brings its past: the POSC accounts it has had for years, their grants, the
applications already decided. A batch lists those facts as the API's commands, in the order they happened, and
runs them all in memory first (a unit of work, services/app/base.py): the first one a rule refuses, or that does
not decode, stops the batch and nothing is stored; otherwise every change is stored in one transaction. A dry run
stops before storing. Each command names its use case by the application service's method (``grant_access``), the
ids before its body (``path``, as the API's path parameters), and may name what it creates (``ref``) for later
commands to use as ``"@ref"`` wherever an id goes.

The batch is JSON (``{"commands": [...]}``) or CSV (columns ``use``, ``ref``, ``path`` (ids separated by spaces)
and ``body`` (a JSON object)); see ``parse_batch``.
"""

from __future__ import annotations

import csv
import io
import typing
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from domain.errors import DomainError
from services.app.base import Actor, NotFound, TenantApplication
from services.app.catalog import command_use_cases, path_parameters
from services.app.commands import EXAMPLE_ID, doc
from services.store.idempotency import Saved, claiming, current_claim

MAX_COMMANDS = 20_000  # one transaction; a larger history is split into batches, a practice at a time


class BatchCommand(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One command of the batch."""

    use: Annotated[str, doc("The use case: the application service's method, e.g. grant_access.", "grant_access")]
    ref: Annotated[str | None, doc("A name for what it creates (or changes), for later commands: @name.", "dana")] = (
        None
    )
    path: Annotated[
        list[str], doc("The ids before the body, as the API's path parameters; @name for a ref.", ["@dana"])
    ] = msgspec.field(default_factory=list)
    body: Annotated[
        dict[str, Any],
        doc(
            "The command, as the API's request body; @name for a ref.", {"function": "claims_batch", "on": "2019-03-04"}
        ),
    ] = msgspec.field(default_factory=dict)


class Batch(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A client's history, oldest fact first."""

    example: ClassVar[dict[str, Any]] = {
        "commands": [
            {
                "use": "open_user_account",
                "ref": "dana",
                "body": {
                    "organization_id": EXAMPLE_ID,
                    "person_name": "Dana Reyes",
                    "role": "subordinate",
                    "opened_on": "2026-02-02",
                },
            },
            {"use": "grant_access", "path": ["@dana"], "body": {"function": "claims_batch", "on": "2026-02-03"}},
        ],
        "dry_run": False,
    }

    commands: Annotated[
        list[BatchCommand],
        msgspec.Meta(
            max_length=MAX_COMMANDS,
            description="The commands, oldest fact first (up to 20,000): each as its own route's body, with its day.",
        ),
    ]
    dry_run: Annotated[bool, doc("Check the whole batch, store nothing.", False)] = False


class Imported(msgspec.Struct, kw_only=True):
    dry_run: bool
    commands: int
    events: int  # stored, or that would be
    ids: dict[str, UUID]  # each ref and the id it names
    position: int | None  # the store position of the last event stored (None: a dry run)


class BatchRefused(DomainError):
    """A command of the batch did not decode, named an unknown ref or use case, or broke a rule: nothing stored."""

    def __init__(self, index: int, rule: str, message: str, field: str | None = None) -> None:
        super().__init__(f"Command {index + 1}: {message}", field=field)
        self.index = index
        self.rule = rule


def parse_batch(data: bytes, *, csv_format: bool = False, dry_run: bool = False) -> Batch:
    """A batch from a JSON document or a CSV file; ValueError (naming the line) when it is neither."""
    if not csv_format:
        try:
            batch = msgspec.json.decode(data, type=Batch)
        except msgspec.DecodeError as error:
            raise ValueError(f"not a batch: {error}") from None
        return msgspec.structs.replace(batch, dry_run=True) if dry_run else batch
    commands = []
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    if reader.fieldnames is None or not {"use", "body"} <= set(reader.fieldnames):
        raise ValueError("a CSV batch has the columns use, ref, path and body (use and body at least)")
    for line, row in enumerate(reader, start=2):
        try:
            body = msgspec.json.decode(row.get("body") or "{}", type=dict[str, Any])
        except msgspec.DecodeError as error:
            raise ValueError(f"line {line}: the body is not a JSON object ({error})") from None
        commands.append(
            BatchCommand(use=row["use"], ref=row.get("ref") or None, path=(row.get("path") or "").split(), body=body)
        )
    return Batch(commands=commands, dry_run=dry_run)


def run_batch(
    credledger: TenantApplication,
    actor: Actor,
    batch: Batch,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Imported:
    """Run the batch as one (see the module's docstring); BatchRefused names the first command that failed."""
    use_cases = {use_case.__name__: use_case for use_case in command_use_cases(_service(credledger))}
    ids: dict[str, UUID] = {}
    with credledger.unit_of_work() as unit:
        for index, command in enumerate(batch.commands):
            use_case = use_cases.get(command.use)
            if use_case is None:
                raise BatchRefused(index, "unknown-use-case", f"no use case {command.use!r}", "use")
            saved = _run_one(credledger, actor, use_case, index, command, ids)
            if command.ref:
                ids[command.ref] = saved.id
            progress(index + 1, len(batch.commands))
    events = sum(len(a.pending_events) for a in unit.aggregates.values())
    done = Imported(dry_run=batch.dry_run, commands=len(batch.commands), events=events, ids=ids, position=None)
    if batch.dry_run:
        return done
    # Under an Idempotency-Key, the answer is kept with the key, so a retry gets the refs' ids again.
    claim = current_claim()
    with claiming(replace(claim, details=_details(done))) if claim is not None else nullcontext():
        saved = credledger.commit(actor, unit)
    done.position = saved.position if saved is not None else None
    return done


def run_batch_once(credledger: TenantApplication, actor: Actor, batch: Batch) -> Saved:
    """``run_batch`` as an Idempotency-Key's command: its answer as the key keeps it (see ``imported``)."""
    done = run_batch(credledger, actor, batch)
    return Saved(UUID(int=0), 0, done.position, _details(done))


def imported(saved: Saved) -> Imported:
    """An import's answer from what its Idempotency-Key kept."""
    details = saved.details or {}
    return Imported(
        dry_run=False,
        commands=details.get("commands", 0),
        events=details.get("events", 0),
        ids={ref: UUID(id_) for ref, id_ in details.get("ids", {}).items()},
        position=saved.position,
    )


def _details(done: Imported) -> dict[str, Any]:
    return {"commands": done.commands, "events": done.events, "ids": {ref: str(id_) for ref, id_ in done.ids.items()}}


def _run_one(
    credledger: TenantApplication, actor: Actor, use_case: Any, index: int, command: BatchCommand, ids: dict[str, UUID]
) -> Any:
    expected = path_parameters(use_case)
    if len(command.path) != len(expected):
        raise BatchRefused(index, "invalid-path", f"{command.use} takes {len(expected)} path ids: {expected}", "path")
    hints = typing.get_type_hints(use_case)
    try:
        path = [_resolved(value, ids) for value in command.path]
        body = {name: _resolved(value, ids) for name, value in command.body.items()}
    except KeyError as unknown:
        raise BatchRefused(index, "unknown-ref", f"no earlier command has ref {unknown.args[0]!r}", "ref") from None
    try:
        path = [msgspec.convert(value, hints[name], strict=False) for name, value in zip(expected, path, strict=True)]
        typed = msgspec.convert(body, command_use_cases(_service(credledger))[use_case], strict=False)
    except (msgspec.ValidationError, TypeError, ValueError) as error:
        raise BatchRefused(index, "invalid-value", f"{command.use}: {error}", "body") from None
    try:
        return getattr(credledger, command.use)(actor, *path, typed)
    except NotFound as error:
        raise BatchRefused(index, "not-found", error.message) from None
    except DomainError as error:
        raise BatchRefused(index, error.rule, error.message, error.field) from None


def _resolved(value: Any, ids: dict[str, UUID]) -> Any:
    """``"@name"`` as the id its ref names (KeyError: no such ref yet); anything else as it is."""
    if isinstance(value, str) and value.startswith("@"):
        return str(ids[value[1:]])
    return value


def _service(credledger: TenantApplication) -> type:
    service: type = type(credledger)
    return service
