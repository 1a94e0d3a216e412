"""Per-tenant settings the views' queries read: the access-review interval, SLA targets, the days a client has
to answer a deficiency and the days without a POSC login before an ID is a finding.

A setting changes what a query reports, never what a projection stores, so changing
one takes effect on the next read and needs no rebuild.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, put
from litestar.params import JSONBody

from domain.application import ApplicationKind
from domain.screening import DEFAULT_SCREENING_INTERVAL_DAYS
from projections.access_audit.queries import DEFAULT_ACCESS_REVIEW_INTERVAL_DAYS
from projections.access_audit.sql import DEFAULT_LOGIN_INACTIVITY_DAYS
from projections.expirables.queries import DEFAULT_CYCLES
from projections.turnaround.queries import DEFAULT_DEFICIENCY_ANSWER_DAYS
from services.api.auth import Principal, may_configure, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.view_reads import read_views

ReviewInterval = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=730,
        description="Days between reviews of each POSC user's access (1-730); past it, the access audit reports "
        "an overdue review.",
        examples=[60],
    ),
]
TargetDays = Annotated[int, msgspec.Meta(ge=1, le=365, description="business days")]
AnswerDays = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=120,
        description="Massachusetts business days a client has to answer a deficiency notice (1-120): the firm's own "
        "policy, MassHealth sets none; the turnaround view's answer_due_on counts them from the notice.",
        examples=[10],
    ),
]

LoginDays = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=730,
        description="Days without a recorded POSC login (1-730) before an active ID is the access audit's "
        "login_inactive finding: the firm's own policy, ahead of MassHealth ending long-inactive IDs.",
        examples=[90],
    ),
]

ScreeningDays = Annotated[
    int,
    msgspec.Meta(
        ge=7,
        le=366,
        description="Days (7-366) within which each practice, owner, managing employee and clinician must have been "
        "screened against the OIG LEIE and SAM (42 CFR 455.436: monthly; default 31). Past it, the access audit "
        "reports screening_overdue; the re-screening of a new edition records an unchanged result once half of "
        "it has passed.",
        examples=[31],
    ),
]

CaqhDays = Annotated[int, msgspec.Meta(ge=30, le=365, description="Days between CAQH ProView attestations.")]
RevalidationMonths = Annotated[int, msgspec.Meta(ge=12, le=120, description="Months between MassHealth revalidations.")]
RecredentialingMonths = Annotated[
    int, msgspec.Meta(ge=12, le=60, description="Months between a plan's re-credentialings.")
]


class CredentialCycles(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """How often recurring credentials come due (left out: unchanged); the expirables view computes due dates with
    them. Defaults: CAQH every 120 days, MassHealth revalidation every 60 months, plan re-credentialing every 36."""

    caqh_reattestation_days: CaqhDays | None = None
    masshealth_revalidation_months: RevalidationMonths | None = None
    plan_recredentialing_months: RecredentialingMonths | None = None


class SettingsChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields left out keep their value; an SLA target given replaces that kind's target only."""

    access_review_interval_days: ReviewInterval | None = None
    sla_targets: Annotated[
        dict[ApplicationKind, TargetDays] | None,
        msgspec.Meta(
            description="Turnaround targets in Massachusetts business days (1-365) by application kind "
            "(posc_registration, enrollment, ...); the turnaround views report breaches against them.",
            examples=[{"enrollment": 45}],
        ),
    ] = None
    deficiency_answer_days: AnswerDays | None = None
    login_inactivity_days: LoginDays | None = None
    screening_interval_days: ScreeningDays | None = None
    credential_cycles: Annotated[
        CredentialCycles | None,
        msgspec.Meta(
            description="How often recurring credentials come due (CAQH re-attestation days, MassHealth revalidation "
            "and plan re-credentialing months); cycles left out keep their value.",
            examples=[{"caqh_reattestation_days": 90}],
        ),
    ] = None


class TenantSettings(msgspec.Struct, kw_only=True):
    access_review_interval_days: int
    sla_targets: dict[str, int]  # the tenant's overrides; kinds absent use the defaults
    deficiency_answer_days: AnswerDays
    login_inactivity_days: LoginDays
    screening_interval_days: ScreeningDays
    credential_cycles: dict[str, int]  # every cycle, the tenant's where it set one, else the default
    updated_by: str | None
    updated_at: datetime | None


async def read_settings(con: object, tenant_id: str) -> TenantSettings:
    row = await con.fetchrow(  # type: ignore[attr-defined]
        "SELECT access_review_interval_days, sla_targets, deficiency_answer_days, login_inactivity_days, updated_by, "
        "updated_at, credential_cycles, screening_interval_days "
        "FROM tenant_settings"
    )
    if row is None:
        return TenantSettings(
            access_review_interval_days=DEFAULT_ACCESS_REVIEW_INTERVAL_DAYS,
            sla_targets={},
            deficiency_answer_days=DEFAULT_DEFICIENCY_ANSWER_DAYS,
            login_inactivity_days=DEFAULT_LOGIN_INACTIVITY_DAYS,
            screening_interval_days=DEFAULT_SCREENING_INTERVAL_DAYS,
            credential_cycles=dict(DEFAULT_CYCLES),
            updated_by=None,
            updated_at=None,
        )
    return TenantSettings(
        access_review_interval_days=row["access_review_interval_days"],
        sla_targets=msgspec.json.decode(row["sla_targets"]),
        deficiency_answer_days=row["deficiency_answer_days"] or DEFAULT_DEFICIENCY_ANSWER_DAYS,
        login_inactivity_days=row["login_inactivity_days"] or DEFAULT_LOGIN_INACTIVITY_DAYS,
        screening_interval_days=row["screening_interval_days"] or DEFAULT_SCREENING_INTERVAL_DAYS,
        credential_cycles={**DEFAULT_CYCLES, **msgspec.json.decode(row["credential_cycles"])},
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


class SettingsController(Controller):
    path = "/v1/settings"
    tags = ("settings",)

    @get(operation_id="getSettings", guards=[may_read], **read_docs("Read the firm's settings", not_found=False))
    async def get_settings(self, request: Request, read_pool: ReadPool) -> TenantSettings:
        """The access-review interval, SLA targets, deficiency answer days, login inactivity days, screening interval
        and credential cycles the views' queries use (the defaults where none was set)."""
        principal: Principal = request.user
        async with read_views(read_pool, principal) as con:
            return await read_settings(con, principal.tenant_id)

    @put(
        operation_id="changeSettings",
        guards=[may_configure],
        **read_docs("Change the firm's settings", not_found=False, codes=(413, 415)),
    )
    async def change_settings(
        self, request: Request, data: JSONBody[SettingsChange], read_pool: ReadPool
    ) -> TenantSettings:
        """Changes the access-review interval, SLA targets (business days per application kind), deficiency answer
        days, login inactivity days, the screening interval and credential cycles; the views' next reads use them, no
        rebuild needed. Fields left out keep their value. Firm admins only."""
        principal: Principal = request.user
        targets = msgspec.json.encode({str(k): v for k, v in (data.sla_targets or {}).items()}).decode()
        async with read_pool.acquire() as con, con.transaction():
            await con.execute("SELECT set_config('app.tenant_id', $1, true)", principal.tenant_id)
            # One statement: concurrent changes of different fields both land.
            await con.execute(
                "INSERT INTO tenant_settings (tenant_id, access_review_interval_days, sla_targets, updated_by, "
                "deficiency_answer_days, login_inactivity_days, credential_cycles, screening_interval_days) "
                "VALUES ($1, COALESCE($2::integer, $5::integer), $3::jsonb, $4, $6, $7, $8::jsonb, $9) "
                "ON CONFLICT (tenant_id) DO UPDATE SET "
                "access_review_interval_days = COALESCE($2::integer, tenant_settings.access_review_interval_days), "
                "sla_targets = tenant_settings.sla_targets || $3::jsonb, "
                "deficiency_answer_days = COALESCE($6::integer, tenant_settings.deficiency_answer_days), "
                "login_inactivity_days = COALESCE($7::integer, tenant_settings.login_inactivity_days), "
                "credential_cycles = tenant_settings.credential_cycles || $8::jsonb, "
                "screening_interval_days = COALESCE($9::integer, tenant_settings.screening_interval_days), "
                "updated_by = $4, updated_at = now()",
                principal.tenant_id,
                data.access_review_interval_days,
                targets,
                principal.user_id,
                DEFAULT_ACCESS_REVIEW_INTERVAL_DAYS,
                data.deficiency_answer_days,
                data.login_inactivity_days,
                msgspec.json.encode(data.credential_cycles or CredentialCycles()).decode(),
                data.screening_interval_days,
            )
            return await read_settings(con, principal.tenant_id)
