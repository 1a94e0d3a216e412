"""Onboarding with history: a client's past (accounts, grants, applications on their own days) comes in as one
batch, through the API or the command line (JSON or CSV): checked whole, stored all or nothing, with a dry run;
the record and the views then show that history as it was. Another tenant's ids are not found."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.api.helpers import ORG, POSC_STEPS, assert_problem, events_of, register
from tests.support import Stack, fresh, process_env

ORGANIZATION = {**ORG, "legal_name": "Taconic Pediatrics", "registered_on": "2019-01-07"}


def _cmd(use: str, *path: str, ref: str | None = None, **body: Any) -> dict[str, Any]:
    command: dict[str, Any] = {"use": use, "path": list(path), "body": body}
    return {**command, "ref": ref} if ref else command


def _history(**overrides: Any) -> list[dict[str, Any]]:
    """Six years of a practice: registered in 2019, its primary user since then (registered in POSC with the PIN
    letter before granting any access), a subordinate who held access from 2020 until revoked in 2021, a
    revalidation opened and withdrawn. ``overrides`` replace commands by index (``c9``: the tenth)."""
    org = "@taconic"
    commands = [
        _cmd("register_organization", ref="taconic", **ORGANIZATION),
        _cmd("receive_pin_letter", org, pin="T4C0N1C", received_on="2019-01-28"),
        _cmd(
            "open_user_account",
            ref="dana",
            organization_id=org,
            person_name="Dana Reyes",
            role="primary",
            date_of_birth="1980-02-29",
            opened_on="2019-02-01",
        ),
        # The POSC registration checklist, done before the primary user grants access (to itself, then others).
        *(_cmd("complete_checklist_step", "@dana", step=step, on="2019-02-01") for step in POSC_STEPS),
        _cmd("grant_access", "@dana", function="eligibility_verification", on="2019-02-04"),
        _cmd(
            "open_user_account",
            ref="sam",
            organization_id=org,
            person_name="Sam Ortiz",
            role="subordinate",
            opened_on="2020-03-02",
        ),
        _cmd("grant_access", "@sam", function="claims_direct_data_entry", on="2020-03-05"),
        _cmd("revoke_access", "@sam", function="claims_direct_data_entry", on="2021-06-01"),
        _cmd(
            "open_application",
            ref="reval",
            organization_id=org,
            kind="revalidation",
            channel="portal",
            opened_on="2024-01-08",
        ),
        _cmd("withdraw_application", "@reval", withdrawn_on="2024-02-01"),
    ]
    for index, change in overrides.items():
        commands[int(index.removeprefix("c"))] = change
    return commands


def _import(client: httpx.Client, commands: list[dict[str, Any]], **params: Any) -> httpx.Response:
    return client.post("/v1/imports", json={"commands": commands}, params=params)


def test_a_history_is_checked_whole_then_stored_as_it_was(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    before = events_of(stack, tenants[0])
    dry = _import(a, _history(), dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["commands"] == 13 and dry.json()["events"] >= 14
    assert events_of(stack, tenants[0]) == before  # a dry run stores nothing
    assert a.get(f"/v1/organizations/{dry.json()['ids']['taconic']}").status_code == 404

    done = _import(a, _history())
    assert done.status_code == 200, done.text
    ids = done.json()["ids"]
    assert set(ids) == {"taconic", "dana", "sam", "reval"} and done.json()["events"] == dry.json()["events"]
    assert events_of(stack, tenants[0]) == before + done.json()["events"]
    assert "Credledger-Position" in done.headers

    # The record as it was on each day of its history.
    sam = f"/v1/user-accounts/{ids['sam']}"
    assert a.get(sam, params={"as_of": "2020-03-04"}).json()["grants"] == []
    assert a.get(sam, params={"as_of": "2020-12-31"}).json()["grants"] == ["claims_direct_data_entry"]
    assert a.get(sam, params={"as_of": "2021-06-02"}).json()["grants"] == []
    assert a.get(sam).json()["opened_on"] == "2020-03-02"
    assert a.get(f"/v1/organizations/{ids['taconic']}").json()["registered_on"] == "2019-01-07"
    assert a.get(f"/v1/applications/{ids['reval']}").json()["opened_on"] == "2024-01-08"
    assert a.get(f"/v1/organizations/{ids['taconic']}", params={"as_of": "2018-12-31"}).status_code == 404
    # And the views: who held access on a day of 2020, since when.
    fresh(a)
    held = a.get(f"/v1/views/access-audit/{ids['taconic']}/access", params={"on": "2020-06-15"}).json()
    assert sorted(h["person_name"] for h in held["holders"]) == ["Dana Reyes", "Sam Ortiz"]
    audit = a.get(f"/v1/views/access-audit/{ids['taconic']}").json()
    dana = next(account for account in audit["accounts"] if account["person_name"] == "Dana Reyes")
    assert dana["access_since"] == "2019-02-04" and dana["opened_on"] == "2019-02-01"
    # Another tenant sees none of it.
    assert b.get(f"/v1/organizations/{ids['taconic']}").status_code == 404
    assert b.get(f"/v1/views/access-audit/{ids['taconic']}").status_code == 404


def test_one_refused_command_stores_nothing_and_is_named(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    before = events_of(stack, tenants[0])
    early = {"use": "grant_access", "path": ["@sam"], "body": {"function": "claims_batch", "on": "2020-02-01"}}
    refused = _import(a, _history(c9=early))  # a grant before Sam's account was opened
    problem = assert_problem(refused, 422, "effective-date-before-dependency")
    assert problem["detail"].startswith("Command 10: ") and "2020-02-01" in problem["detail"]  # 1-based: c9
    assert "2020-03-02" in problem["detail"]
    for bad, rule in (
        ({"use": "no_such_thing"}, "unknown-use-case"),
        ({"use": "grant_access", "path": ["@nobody"], "body": {"function": "claims_batch"}}, "unknown-ref"),
        ({"use": "grant_access", "path": ["@sam"], "body": {"function": "teleport"}}, "invalid-value"),
        ({"use": "grant_access", "path": [], "body": {"function": "claims_batch"}}, "invalid-path"),
    ):
        assert_problem(_import(a, _history(c10=bad)), 422, rule)
    assert events_of(stack, tenants[0]) == before
    # Another tenant's organization is not found, and nothing of the batch is stored either.
    theirs = register(b)
    foreign = {
        "use": "open_user_account",
        "body": {"organization_id": theirs, "person_name": "Eve", "role": "subordinate", "opened_on": "2020-01-06"},
    }
    assert_problem(_import(a, _history(c12=foreign)), 422, "not-found")
    assert events_of(stack, tenants[0]) == before
    assert_problem(a.post("/v1/imports", json={"commands": "x"}), 400, "invalid-request")


def test_the_command_line_imports_csv_and_json(stack: Stack, tenants: tuple[str, str], tmp_path: Path) -> None:
    tenant = tenants[1]
    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp_path)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services", *args], env=env, capture_output=True, text=True, timeout=120
        )

    batch = tmp_path / "taconic.csv"
    batch.write_text(_csv(_history()))
    before = events_of(stack, tenant)
    dry = cli("import", str(batch), "--tenant", tenant, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["dry_run"] is True and events_of(stack, tenant) == before
    done = cli("import", str(batch), "--tenant", tenant)
    assert done.returncode == 0, done.stderr
    assert "import" in done.stderr  # the progress bar
    assert events_of(stack, tenant) == before + json.loads(done.stdout)["events"]

    refused = tmp_path / "refused.json"
    early = {"use": "grant_access", "path": ["@sam"], "body": {"function": "claims_batch", "on": "2020-02-01"}}
    refused.write_text(json.dumps({"commands": _history(c9=early)}))
    failed = cli("import", str(refused), "--tenant", tenant)
    assert failed.returncode == 1 and "Command 10" in failed.stderr and "nothing was stored" in failed.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert cli("import", str(garbage), "--tenant", tenant).returncode == 65
    assert events_of(stack, tenant) == before + json.loads(done.stdout)["events"]


def test_a_retried_import_with_its_idempotency_key_is_not_imported_twice(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    key = {"Idempotency-Key": "taconic-history-1"}
    first = a.post("/v1/imports", json={"commands": _history()}, headers=key)
    assert first.status_code == 200, first.text
    after = events_of(stack, tenants[0])
    again = a.post("/v1/imports", json={"commands": _history()}, headers=key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()  # the refs' ids and the counts, as first answered
    assert events_of(stack, tenants[0]) == after
    other = _history(c12=_cmd("withdraw_application", "@reval", withdrawn_on="2024-02-02"))
    assert_problem(a.post("/v1/imports", json={"commands": other}, headers=key), 422, "idempotency-key-reused")
    # The key is the tenant's: another tenant's request with it imports its own history.
    theirs = b.post("/v1/imports", json={"commands": _history()}, headers=key)
    assert theirs.status_code == 200 and "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["ids"] != first.json()["ids"]
    assert events_of(stack, tenants[0]) == after


def test_the_api_reads_a_csv_batch_too(stack: Stack, tenants: tuple[str, str]) -> None:
    a = stack.client(tenants[0])
    before = events_of(stack, tenants[0])
    csv_headers = {"content-type": "text/csv"}
    done = a.post("/v1/imports/csv", content=_csv(_history()), headers=csv_headers, params={"dry_run": "true"})
    assert done.status_code == 200, done.text
    assert done.json()["dry_run"] is True and events_of(stack, tenants[0]) == before
    done = a.post("/v1/imports/csv", content=_csv(_history()), headers=csv_headers)
    assert done.status_code == 200, done.text
    assert events_of(stack, tenants[0]) == before + done.json()["events"]
    sam = a.get(f"/v1/user-accounts/{done.json()['ids']['sam']}", params={"as_of": "2020-12-31"}).json()
    assert sam["grants"] == ["claims_direct_data_entry"]
    other = stack.client(tenants[1])  # another tenant reads none of it, on any day
    for path in (
        f"/v1/user-accounts/{done.json()['ids']['sam']}",
        f"/v1/organizations/{done.json()['ids']['taconic']}",
    ):
        assert_problem(other.get(path, params={"as_of": "2020-12-31"}), 404, "not-found")
    for bad in ("use,ref\ngrant_access,x\n", 'use,ref,path,body\ngrant_access,,@sam,{"on": \n'):
        assert_problem(a.post("/v1/imports/csv", content=bad, headers=csv_headers), 400, "invalid-request")
    assert events_of(stack, tenants[0]) == before + done.json()["events"]


def _csv(commands: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["use", "ref", "path", "body"])
    for command in commands:
        row = [command["use"], command.get("ref", ""), " ".join(command["path"]), json.dumps(command["body"])]
        writer.writerow(row)
    return out.getvalue()
