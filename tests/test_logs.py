"""`credledger up --log-format json` (or CREDLEDGER_LOG_FORMAT=json): every line it and its workers' child write is
one JSON object, and a request's lines carry its id; text stays the default for a person at a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.cli import parser
from tests.api.helpers import ORG
from tests.support import Infra, eventually, start_stack, stop


def test_the_log_format_is_chosen_before_or_after_the_command() -> None:
    assert parser().parse_args(["up", "--log-format", "json"]).log_format == "json"
    assert parser().parse_args(["--log-format", "json", "up"]).log_format == "json"
    assert parser().parse_args(["up"]).log_format is None  # then CREDLEDGER_LOG_FORMAT, else text
    with pytest.raises(SystemExit):
        parser().parse_args(["up", "--log-format", "xml"])


def test_json_lines_with_the_request_id(infra: Infra, tmp_path: Path) -> None:
    stack = start_stack(infra, tmp_path, CREDLEDGER_LOG_FORMAT="json")
    try:
        client = stack.client("logging-firm")
        created = client.post("/v1/organizations", json=ORG, headers={"X-Request-ID": "trace-123"})
        assert created.status_code == 201

        def lines() -> list[dict]:
            return [json.loads(line) for line in stack.log.read_text().splitlines() if line.strip()]

        access = eventually(
            lambda: [
                line
                for line in lines()
                if line.get("client_request_id") == "trace-123" and line["logger"] == "credledger.access"
            ]
        )
        assert access[0]["request_id"] == created.headers["x-request-id"]
        assert (
            access[0]["route"] == "/v1/organizations" and access[0]["status"] == 201 and access[0]["method"] == "POST"
        )
        assert {"time", "level", "message"} <= set(access[0])
        # The workers' child writes JSON lines too.
        eventually(lambda: any(line["logger"].startswith("projections.") for line in lines()), timeout=30)
        assert ORG["tin"] not in stack.log.read_text()  # personal data is never logged
    finally:
        assert stop(stack.process) == 0
    assert all(json.loads(line) for line in stack.log.read_text().splitlines() if line.strip())
