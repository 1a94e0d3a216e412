"""What a person opens in a browser: the dashboard at ``/dashboard/`` and the interactive API docs at ``/schema``,
both served from files shipped in the package (services/api/assets), so that nothing is loaded from the internet.

The dashboard is static: it reads only the public API, with the bearer token its user pastes in, as any other
client does. Its pages are public (they hold no data); the API behind them is not.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

ASSETS = Path(__file__).parent / "assets"
SWAGGER_UI = "/static/swagger-ui"

# The dashboard may load and call only its own origin: a script injected through a record's text could not send
# data anywhere else, and a page that tried to load something from the internet would fail in the tests.
DASHBOARD_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"
)


async def _after_dashboard(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = DASHBOARD_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def web_routes() -> list:
    # no-cache: a browser revalidates (ETag) so an upgrade's new scripts are never mixed with old ones.
    return [
        home,
        create_static_files_router(
            path="/dashboard",
            directories=[ASSETS / "dashboard"],
            html_mode=True,
            name="dashboard",
            after_request=_after_dashboard,
            cache_control=CacheControlHeader(no_cache=True),
        ),
        create_static_files_router(
            path=SWAGGER_UI,
            directories=[ASSETS / "swagger-ui"],
            name="swagger-ui",
            cache_control=CacheControlHeader(max_age=86400),
        ),
    ]


def docs_render_plugins() -> list:
    """Swagger UI at /schema (and /schema/swagger) from the vendored files, and the document itself as JSON and
    YAML. Swagger UI's own page carries an inline script, so it gets no content security policy of ours."""
    swagger = SwaggerRenderPlugin(
        path=["/", "/swagger"],
        js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_UI}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_UI}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_UI}/favicon-32x32.png'>",
    )
    return [swagger, JsonRenderPlugin(), YamlRenderPlugin()]


@get("/", include_in_schema=False)
async def home() -> Redirect:
    """A browser pointed at the service lands on the dashboard."""
    return Redirect("/dashboard/")
