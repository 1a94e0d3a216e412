"""The files the browser loads ship in the package and are what their provenance says: the vendored Swagger UI
matches the hashes recorded when it was taken from npm, and nothing the dashboard or the docs serve names a host
of the internet to load from."""

from __future__ import annotations

import hashlib
import re

from services.api.web import ASSETS


def test_the_vendored_swagger_ui_is_the_release_its_provenance_names() -> None:
    provenance = (ASSETS / "swagger-ui" / "PROVENANCE.md").read_text()
    recorded = dict(re.findall(r"^\s*\|\s*([\w.-]+\.(?:js|css|png))\s*\|\s*([0-9a-f]{64})\s*\|", provenance, re.M))
    assert set(recorded) == {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    }
    for name, digest in recorded.items():
        assert hashlib.sha256((ASSETS / "swagger-ui" / name).read_bytes()).hexdigest() == digest, name


def test_the_dashboard_loads_nothing_from_elsewhere() -> None:
    pages = [path for path in (ASSETS / "dashboard").rglob("*") if path.suffix in (".html", ".js", ".css")]
    assert {path.name for path in pages} >= {"index.html", "main.js", "dashboard.css", "live.js"}
    for path in pages:
        text = path.read_text()
        # Only the SVG namespace, which names a standard, not a place to fetch from.
        assert re.findall(r"https?://(?!www\.w3\.org/2000/svg)", text) == [], path
