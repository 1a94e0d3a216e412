"""The dashboard and the API docs in a real headless Chromium (Playwright driving Debian's `chromium`), against
`credledger up --demo`. Every test saves a screenshot of where it ended in test-artifacts/browser/ (or
$CREDLEDGER_TEST_ARTIFACTS), and fails if the page asked anything of a host other than the service."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Error, Page, Playwright, sync_playwright

from services.api.auth import issue_token
from tests.support import JWT_SECRET, Infra, Stack, fresh, start_stack, stop

ARTIFACTS = Path(os.environ.get("CREDLEDGER_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts")) / "browser"
# What the machine's probe found works for a root user on a closed network: no sandbox, no GPU, and none of
# Chromium's own calls home (refused here, and slow to give up on).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INSTALL_HINT = (
    "The browser tests need Chromium: `apt-get install chromium` (Debian, as CI does), or "
    "`python -m playwright install chromium`, or CREDLEDGER_CHROMIUM=/path/to/chromium."
)


@pytest.fixture(scope="module")
def demo(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`credledger up --demo`, its views caught up with the demo firm's history. For the module only: a running
    `up` holds a few dozen database connections, which the rest of the session's tests need."""
    running = start_stack(infra, tmp_path_factory.mktemp("demo"), demo=True)
    try:
        fresh(httpx.Client(base_url=running.base_url, headers=auth("demo", "viewer")), timeout=180)
        yield running
    finally:
        assert stop(running.process) == 0, running.log.read_text()[-4000:]


def token(tenant: str, role: str, user: str = "pat", orgs: tuple[str, ...] = ()) -> str:
    return issue_token(JWT_SECRET, tenant=tenant, role=role, user=user, organizations=list(orgs))


def auth(tenant: str, role: str, **kwargs: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(tenant, role, **kwargs)}"}  # type: ignore[arg-type]


def _chromium() -> str | None:
    named = os.environ.get("CREDLEDGER_CHROMIUM")
    if named:
        return named
    return next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)


# Per module, and after the demo: Playwright's synchronous API holds an event loop while it runs, which would
# refuse the asyncio.run of other tests (and the test servers' cleanup) on this worker.
@pytest.fixture(scope="module")
def browser(demo: Stack) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        yield _launch(playwright)


def _launch(playwright: Playwright) -> Browser:
    try:
        return playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
    except Error as error:
        pytest.fail(f"{INSTALL_HINT}\n{error}")


@dataclass
class Visit:
    """A browser tab on the service, with every request to another host refused and listed."""

    page: Page
    base_url: str
    elsewhere: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Browser, demo: Stack, request: pytest.FixtureRequest) -> Iterator[Visit]:
    context = browser.new_context(base_url=demo.base_url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = Visit(page, demo.base_url)

    def only_the_service(route, routed) -> None:  # type: ignore[no-untyped-def]
        if routed.url.startswith(demo.base_url):
            route.continue_()
        else:
            visit.elsewhere.append(routed.url)
            route.abort()

    page.route("**/*", only_the_service)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield visit
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
        context.close()
    assert visit.elsewhere == [], f"the page reached beyond the service: {visit.elsewhere}"
    assert errors == [], f"uncaught script errors: {errors}"
