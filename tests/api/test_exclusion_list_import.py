"""The exclusion lists' files imported as editions, through the command line and the API: the real LEIE and SAM
files (tests/fixtures/exclusion_lists), the layout detected, the same file twice one edition, a malformed row
refused by its line with nothing stored, dates of birth stored only as keyed digests, firm admins alone uploading,
and every firm reading the editions (reference data, shared)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from tests.api.helpers import assert_problem
from tests.domain.test_exclusion_lists import FIXTURES, PERSON
from tests.support import Stack, process_env

LEIE = FIXTURES / "leie_updated_head.csv"
SAM_V2 = FIXTURES / "sam_exclusions_public_extract_v2_sample.csv"


def _csv_row(fields: list[str]) -> str:
    return ",".join(f'"{f}"' for f in fields) + "\r\n"


def _leie_with(tmp: Path, *rows: list[str]) -> Path:
    """The real LEIE head and more rows after it (a file no other test imports: its own synthetic person)."""
    unique = [*PERSON[:1], f"DOE{uuid.uuid4().hex[:6].upper()}", *PERSON[2:]]
    path = tmp / f"leie-{uuid.uuid4().hex[:6]}.csv"
    path.write_bytes(LEIE.read_bytes() + "".join(_csv_row(r) for r in (unique, *rows)).encode())
    return path


def _cli(stack: Stack, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp / "data")
    command = [sys.executable, "-m", "services", "lists", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def _editions(stack: Stack, sha256: str) -> list[tuple[object, ...]]:
    return stack.sql("SELECT edition_id, row_count FROM exclusion_list_editions WHERE sha256 = %s", sha256)


def test_the_command_line_imports_a_file_once_and_refuses_a_malformed_one(stack: Stack, tmp_path: Path) -> None:
    path = _leie_with(tmp_path)
    done = _cli(stack, tmp_path, "import", str(path), "--file-date", "2026-11-10")
    assert done.returncode == 0, done.stderr
    edition_id, source, file_date, rows = done.stdout.split()[:4]
    assert (source, file_date, rows) == ("oig_leie", "2026-11-10", "6")
    assert "import" in done.stderr  # the progress bar
    stored = stack.sql(
        "SELECT line, entity, name_key, npi, dob_digest FROM exclusion_list_entries WHERE edition_id = %s "
        "ORDER BY line",
        uuid.UUID(edition_id),
    )
    assert [(line, entity) for line, entity, *_ in stored] == [(2, True), (3, True), (4, True), (5, True), (6, True),
                                                                (7, False)]  # fmt: skip
    assert stored[2][3] == "1972902351"
    # The person's date of birth is a keyed digest: compared, never stored as the date.
    digest = stored[5][4]
    assert digest and len(digest) == 64 and "1975" not in digest and "19750601" not in str(stack.sql(
        "SELECT * FROM exclusion_list_entries WHERE edition_id = %s", uuid.UUID(edition_id)))  # fmt: skip
    # The same file again: the same edition, nothing stored.
    again = _cli(stack, tmp_path, "import", str(path))
    assert again.returncode == 0 and again.stdout.split()[0] == edition_id and "already imported" in again.stdout
    sha256 = again.stdout.split()[6]
    assert len(_editions(stack, sha256)) == 1
    listed = _cli(stack, tmp_path, "editions")
    assert listed.returncode == 0 and edition_id in listed.stdout

    # A malformed row far into a file: refused by its line, and nothing of the file stored.
    bad = _leie_with(tmp_path, [*PERSON[:14], "2024-13-01", *PERSON[15:]])
    refused = _cli(stack, tmp_path, "import", str(bad))
    assert refused.returncode == 65, refused.stderr
    assert "Line 8: EXCLDATE '2024-13-01' is not a date" in refused.stderr
    assert stack.sql("SELECT count(*) FROM exclusion_list_editions WHERE file_name = %s", bad.name) == [(0,)]
    # A file of another kind: the columns each layout has are named.
    other = tmp_path / "roster.csv"
    other.write_text("name,npi\nJane,1972902351\n")
    unknown = _cli(stack, tmp_path, "import", str(other))
    assert unknown.returncode == 65 and "LASTNAME, FIRSTNAME" in unknown.stderr and "Unique Entity ID" in unknown.stderr
    assert _cli(stack, tmp_path, "import", str(tmp_path / "missing.csv")).returncode == 2


def test_firm_admins_upload_lists_and_every_firm_reads_the_editions(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    admin = stack.client(tenants[0])
    path = tmp_path / "SAM_Exclusions_Public_Extract_V2.CSV"
    shutil.copy(SAM_V2, path)
    path.write_bytes(path.read_bytes() + _csv_row(["Individual", "", "", "JANE", "", f"ROE{uuid.uuid4().hex[:6]}", "",
                     "", "", "", "", "BOSTON", "MA", "USA", "02110", "", "", "", "Reciprocal", "HHS", "", "Ineligible",
                     "", "01/02/2025", "Indefinite", "", "", "S4MRTEST1", "", "", "2025-01-02"]).encode())  # fmt: skip
    body = path.read_bytes()
    url = "/v1/exclusion-lists?file_date=2026-12-01&file_name=" + path.name
    csv_type = {"content-type": "text/csv"}
    created = admin.post(url, content=body, headers=csv_type)
    assert created.status_code == 201, created.text
    edition = created.json()
    assert (edition["source"], edition["layout"], edition["row_count"], edition["created"]) == (
        "sam",
        "sam_v2",
        17,
        True,
    )
    assert created.headers["location"] == f"/v1/exclusion-lists/{edition['edition_id']}"
    assert edition["imported_by"] == f"{tenants[0]}/alice"
    again = admin.post(url, content=body, headers=csv_type)
    assert again.status_code == 200 and again.json()["edition_id"] == edition["edition_id"]
    # Both answers are in the contract: 201 a new edition, 200 the one this file already is.
    contract = httpx.get(stack.base_url + "/schema/openapi.json").json()["paths"]["/v1/exclusion-lists"]["post"]
    assert {"200", "201"} <= set(contract["responses"])
    assert again.json()["created"] is False
    # Reference data: the other firm reads it too, as every role does.
    other = stack.client(tenants[1], role="client_viewer")
    assert other.get(f"/v1/exclusion-lists/{edition['edition_id']}").json()["sha256"] == edition["sha256"]
    assert edition["edition_id"] in {e["edition_id"] for e in other.get("/v1/exclusion-lists").json()["items"]}
    assert other.get(f"/v1/exclusion-lists/{uuid.uuid4()}").status_code == 404

    # Only firm admins upload; not as JSON; a malformed file is refused by its line, nothing stored.
    assert_problem(stack.client(tenants[0], role="specialist").post(url, content=body, headers=csv_type), 403,
                   "forbidden")  # fmt: skip
    assert_problem(admin.post(url, json={"rows": []}), 415, "unsupported-media-type")
    bad = body.replace(b'"01/02/2025"', b'"2025-01-02"')
    problem = assert_problem(admin.post(url, content=bad, headers=csv_type), 422, "list-row-malformed")
    assert "Line 18: Active Date '2025-01-02' is not a date" in problem["detail"]
    assert stack.sql("SELECT count(*) FROM exclusion_list_editions WHERE sha256 = encode(sha256(%s), 'hex')", bad) == [
        (0,)
    ]
    unknown = assert_problem(admin.post(url, content=b"a,b\n1,2\n", headers=csv_type), 422, "list-layout-unknown")
    assert "LASTNAME" in unknown["detail"]
    # A ZIP as SAM publishes it, a header with no rows, a file date to come: refused, nothing stored.
    zipped = assert_problem(admin.post(url, content=b"PK\x03\x04\x14\x00\xff\xfe", headers=csv_type), 422,
                            "list-row-malformed")  # fmt: skip
    assert "Line 1: not a CSV file in UTF-8" in zipped["detail"]
    header_only = LEIE.read_bytes().split(b"\r\n")[0] + b"\r\n"
    assert_problem(admin.post(url, content=header_only, headers=csv_type), 422, "invalid-value")
    future = "/v1/exclusion-lists?file_date=2099-01-01"
    assert_problem(admin.post(future, content=bad.replace(b"2025-01-02", b"01/02/2025"), headers=csv_type), 422,
                   "effective-date-in-future")  # fmt: skip
    # Who uploaded an edition is shown to that firm only.
    assert other.get(f"/v1/exclusion-lists/{edition['edition_id']}").json()["imported_by"] == "another firm"
    mine = admin.get(f"/v1/exclusion-lists/{edition['edition_id']}").json()["imported_by"]
    assert mine == f"{tenants[0]}/alice"
