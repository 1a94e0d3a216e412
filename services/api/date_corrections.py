"""Correcting the business day of a fact already recorded, on each kind of record: a new event that says which
fact, the day it was given, the day it took effect and why (domain/date_corrections.py)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, post
from litestar.params import FromPath, JSONBody

from services.api.auth import may_write
from services.api.commands import SavedOut
from services.api.dependencies import Runner, Service
from services.api.openapi_docs import command_docs
from services.app.commands import CorrectEffectiveDate

_PATH = "effective-date-corrections"
_WHAT = (
    "Says that the fact at `version` of this record took effect `on`, not on the day it was recorded with. The "
    "fact stays in the history as it was recorded; a correction event (its previous day, the new one, the reason) "
    "follows it, and the record, its as-of answers, the views and replays all read the corrected day. Refused "
    "(422) when the fact has no business day of its own, already has that day, or the new day would come before a "
    "fact recorded before it, or after one recorded after it, on a part of the record they share."
)


def _docs(summary: str) -> dict[str, object]:
    return {**command_docs(summary), "description": _WHAT, "tags": ["effective-date-corrections"]}


@post(
    f"/v1/organizations/{{organization_id:uuid}}/{_PATH}",
    operation_id="correctOrganizationEffectiveDate",
    guards=[may_write],
    status_code=200,
    **_docs("Correct the business day of one of an organization's facts"),
)
async def correct_organization_date(
    organization_id: FromPath[UUID], data: JSONBody[CorrectEffectiveDate], credledger: Service, command: Runner
) -> Response[SavedOut]:
    return await command.run(credledger.correct_organization_date, organization_id, data)


@post(
    f"/v1/user-accounts/{{account_id:uuid}}/{_PATH}",
    operation_id="correctUserAccountEffectiveDate",
    guards=[may_write],
    status_code=200,
    **_docs("Correct the business day of one of a user account's facts"),
)
async def correct_account_date(
    account_id: FromPath[UUID], data: JSONBody[CorrectEffectiveDate], credledger: Service, command: Runner
) -> Response[SavedOut]:
    return await command.run(credledger.correct_account_date, account_id, data)


@post(
    f"/v1/applications/{{application_id:uuid}}/{_PATH}",
    operation_id="correctApplicationEffectiveDate",
    guards=[may_write],
    status_code=200,
    **_docs("Correct the business day of one of an application's facts"),
)
async def correct_application_date(
    application_id: FromPath[UUID], data: JSONBody[CorrectEffectiveDate], credledger: Service, command: Runner
) -> Response[SavedOut]:
    return await command.run(credledger.correct_application_date, application_id, data)


@post(
    f"/v1/practitioners/{{practitioner_id:uuid}}/{_PATH}",
    operation_id="correctPractitionerEffectiveDate",
    guards=[may_write],
    status_code=200,
    **_docs("Correct the business day of one of a practitioner's facts"),
)
async def correct_practitioner_date(
    practitioner_id: FromPath[UUID], data: JSONBody[CorrectEffectiveDate], credledger: Service, command: Runner
) -> Response[SavedOut]:
    return await command.run(credledger.correct_practitioner_date, practitioner_id, data)


DATE_CORRECTION_ROUTES = [correct_organization_date, correct_account_date, correct_application_date]
DATE_CORRECTION_ROUTES.append(correct_practitioner_date)
