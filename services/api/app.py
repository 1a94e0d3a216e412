"""The Litestar application: routes by feature, bearer auth, problem details, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import nats
from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp

from domain.list_matching import dob_key
from services.api.access_audit_view import AccessAuditViewController
from services.api.affiliation_view import AffiliationViewController
from services.api.applications import ApplicationController
from services.api.audit_export_api import export_audit_bundle
from services.api.auth import BearerAuth
from services.api.change_signal import ChangeSignal
from services.api.changes import view_changes
from services.api.date_corrections import DATE_CORRECTION_ROUTES
from services.api.dependencies import DEPENDENCIES
from services.api.disclosures import DisclosureController
from services.api.edges import HttpEdges, check_body
from services.api.exclusion_lists import ExclusionListController, ListImports
from services.api.expirables_view import ExpirablesViewController
from services.api.freshness import view_freshness
from services.api.health import live, ready
from services.api.history import HISTORY_ROUTES
from services.api.imports import ImportController
from services.api.metrics import Metrics, metrics
from services.api.observability import observe_requests
from services.api.openapi_docs import StrictStructSchemaPlugin
from services.api.organization_records import OrganizationRecordsController
from services.api.organizations import OrganizationController
from services.api.participation_view import ParticipationViewController
from services.api.practitioners import PractitionerController
from services.api.problems import HANDLERS
from services.api.reports import REPORT_ROUTES
from services.api.settings import SettingsController
from services.api.snapshots import list_view_snapshots
from services.api.turnaround_view import TurnaroundViewController
from services.api.user_accounts import UserAccountController
from services.api.web import docs_render_plugins, web_routes
from services.api.webhooks import WebhookController
from services.api.work_queue import TaskController, WorkQueueViewController
from services.app import Credledger
from services.composition import open_credledger
from services.config import Settings

# The health probes, the API docs and the dashboard's files (it reads the API with the user's own token).
PUBLIC_PATHS = ["^/health/", "^/metrics$", "^/schema", "^/dashboard", "^/static/", "^/$"]

ROUTES = [
    OrganizationController,
    OrganizationRecordsController,
    DisclosureController,
    UserAccountController,
    PractitionerController,
    ApplicationController,
    *DATE_CORRECTION_ROUTES,
    ImportController,
    AffiliationViewController,
    AccessAuditViewController,
    TurnaroundViewController,
    ExpirablesViewController,
    ExclusionListController,
    ParticipationViewController,
    WorkQueueViewController,
    TaskController,
    view_changes,
    view_freshness,
    list_view_snapshots,
    *HISTORY_ROUTES,
    export_audit_bundle,
    *REPORT_ROUTES,
    SettingsController,
    WebhookController,
    live,
    ready,
    metrics,
    *web_routes(),
]


def openapi_config() -> OpenAPIConfig:
    """A fresh config per app: Litestar keeps per-app state on it."""
    return OpenAPIConfig(
        title="credledger",
        version="0.1.0",
        description="Event-sourced credentialing records for MassHealth enrollment.",
        path="/schema",
        render_plugins=docs_render_plugins(),  # served from the package: they work offline
        use_handler_docstrings=True,  # a handler's docstring is its operation's description
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        security=[{"bearer": []}],
    )


def create_app(settings: Settings, credledger: Credledger | None = None) -> Litestar:
    """Build the API. The caller may pass the application service (tests, the runtime)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        own_service = credledger is None
        app.state.credledger = credledger or open_credledger(settings.database_url, settings.resolve_master_key())
        app.state.credledger.recorder.batch_observer = app.state.metrics.batches.observe
        app.state.read_pool = await asyncpg.create_pool(settings.read_database_url(), min_size=1, max_size=10)
        # Exclusion lists are imported as the store's owner (reference data: services/lists/importer.py).
        app.state.lists = ListImports(settings.database_url, dob_key(settings.resolve_master_key()))
        app.state.nats = await nats.connect(settings.nats_url, name="credledger-api", max_reconnect_attempts=-1)
        app.state.change_signal = ChangeSignal()
        await app.state.change_signal.start(settings.read_database_url())
        try:
            yield
        finally:
            await app.state.change_signal.stop()
            await app.state.nats.drain()
            await app.state.read_pool.close()
            if own_service:
                app.state.credledger.close()

    return Litestar(
        route_handlers=ROUTES,
        lifespan=[lifespan],
        dependencies=DEPENDENCIES,
        state=State(
            {
                "jwt_secret": settings.resolve_jwt_secret(),
                "webhooks_allow_local": settings.webhooks_allow_local,
                "metrics": Metrics(),
            }
        ),
        # Authentication first (401 before anything else), then the edge checks, which precede the guards.
        middleware=[DefineMiddleware(BearerAuth, exclude=PUBLIC_PATHS), HttpEdges()],
        before_request=check_body,  # after the guards, before the body is decoded
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        logging_config=None,
        # Commands are small; an NPPES record is a few kB. Keeps every event well
        # under NATS's default 1 MB message limit, so none can stall the relay.
        request_max_body_size=256 * 1024,  # the CLI configures logging once for every component
        plugins=[StrictStructSchemaPlugin()],  # bodies that refuse unknown fields say so
        openapi_config=openapi_config(),
    )


def asgi_app(settings: Settings) -> ASGIApp:
    """What the server runs: the API inside the request observer (services/api/observability.py), outside
    Litestar's own middleware so that every answer, a 404 or 405 of no route included, has its request id, its
    access line and its measurement."""
    return observe_requests(create_app(settings))
