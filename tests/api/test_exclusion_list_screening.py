"""Screening against an imported edition (`credledger lists screen`): each practice and the people it disclosed
judged against the list's rows, an NPI on the list a confirmed match that blocks the practice's submissions, a
person's name with the practice's state a suspected match for review in the work queue, each screening naming the
edition, nothing recorded again when nothing changed within the month, and each firm screened on its own."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from tests.api.helpers import NPI, assert_problem, open_application, register
from tests.api.test_endpoints import OWNER
from tests.api.test_exclusion_list_import import LEIE, _csv_row
from tests.api.test_work_queue import _tasks
from tests.support import Stack, process_env

UNLISTED_NPI = "1245319599"  # on no row of the edition


def _cli(stack: Stack, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp / "data")
    done = subprocess.run([sys.executable, "-m", "services", "lists", *args], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def _edition(stack: Stack, tmp: Path) -> str:
    """An LEIE file with the real rows and three more: a business with the practices' NPI, Jane Roe of MA, and
    a row of its own (so no other test's file is this one)."""
    shady = ["", "", "", "SHADY BILLING LLC", "OTHER BUSINESS", "", "", NPI, "", "1 ELM ST", "BOSTON", "MA", "02110",
             "1128b7", "20200115", "00000000", "00000000", ""]  # fmt: skip
    roe = ["ROE", "JANE", "", "", "IND- LIC HC SERV PRO", "NURSE", "", "0000000000", "19700304", "2 OAK ST",
           "WORCESTER", "MA", "01608", "1128a1", "20230301", "00000000", "00000000", ""]  # fmt: skip
    own = [f"ZED{uuid.uuid4().hex[:8].upper()}", "AL", "", "", "", "", "", "0000000000", "", "", "", "RI", "",
           "1128a1", "20230301", "00000000", "00000000", ""]  # fmt: skip
    path = tmp / "UPDATED.csv"
    path.write_bytes(LEIE.read_bytes() + "".join(_csv_row(r) for r in (shady, roe, own)).encode())
    return _cli(stack, tmp, "import", str(path), "--file-date", "2026-11-05").stdout.split()[0]


def test_a_monthly_run_records_matches_and_only_what_changed(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    listed, clean = stack.client(tenants[0]), stack.client(tenants[1])
    excluded = register(listed)  # its NPI is on the list
    owned = register(clean, npi=UNLISTED_NPI, legal_name="Quincy Family Care")
    person = clean.post(f"/v1/organizations/{owned}/disclosures", json=OWNER).json()["id"]  # Jane Roe, MA practice
    edition = _edition(stack, tmp_path)

    run = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-01", "--tenant", tenants[0])
    assert "1 practices, 1 subjects screened (1 confirmed_match); 1 screenings recorded" in run.stdout
    [screening] = listed.get(f"/v1/organizations/{excluded}").json()["exclusion_screenings"]
    assert screening == {"source": "oig_leie", "result": "confirmed_match", "list_version": edition,
                         "list_date": "2026-11-05", "screened_on": "2026-12-01"}  # fmt: skip
    # A confirmed match blocks the practice's submissions.
    app = open_application(listed, excluded)
    refused = listed.post(f"/v1/applications/{app}/submit", json={"submitted_on": "2026-12-02"})
    assert_problem(refused, 422, "provider-excluded")
    # The same list again within the month: nothing new to record.
    again = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-03", "--tenant", tenants[0])
    assert "0 screenings recorded" in again.stdout

    # The other firm: its practice is not listed, its owner is suspected (name and state), for review.
    other = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-01", "--tenant", tenants[1])
    assert "2 subjects screened (1 no_match, 1 suspected_match); 2 screenings recorded" in other.stdout
    results = clean.get(f"/v1/organizations/{owned}/disclosures/{person}").json()["exclusion_screenings"]
    assert [(s["result"], s["list_version"]) for s in results] == [("suspected_match", edition)]
    review = _tasks(clean, as_of="2026-12-01", organization_id=owned, kind="exclusion_review")
    assert [t["priority"] for t in review] == ["high"]
    # Cleared by a reviewer, the same evidence does not raise it again next month.
    cleared = clean.post(f"/v1/organizations/{owned}/disclosures/{person}/exclusion-screenings/oig_leie/clear",
                         json={"on": "2026-12-02", "reason": "Different person: date of birth differs"})  # fmt: skip
    assert cleared.status_code == 200, cleared.text
    later = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-04", "--tenant", tenants[1])
    assert "(1 no_match, 1 suspected_match); 0 screenings recorded" in later.stdout
    assert clean.get(f"/v1/organizations/{owned}/disclosures/{person}").json()["exclusion_screenings"][0][
        "result"] == "cleared"  # fmt: skip
    # Neither firm sees the other's screenings.
    assert listed.get(f"/v1/organizations/{owned}").status_code == 404
