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
from tests.api.test_practitioners import register_practitioner
from tests.api.test_work_queue import _tasks
from tests.support import Stack, process_env

UNLISTED_NPI = "1245319599"  # on no row of the edition
LISTED_CLINICIAN_NPI = "1987654336"


def _cli(stack: Stack, tmp: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = process_env(stack.database_url, stack.nats_url, stack.namespace, tmp / "data")
    done = subprocess.run([sys.executable, "-m", "services", "lists", *args], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == code, done.stderr
    return done


def _edition(stack: Stack, tmp: Path) -> str:
    """An LEIE file with the real rows and more: a business with the practices' NPI, Jane Roe of MA, a clinician's
    NPI, Ana Reyes born 1979-03-14 (in California), and a row of its own (so no other test's file is this one)."""
    shady = ["", "", "", "SHADY BILLING LLC", "OTHER BUSINESS", "", "", NPI, "", "1 ELM ST", "BOSTON", "MA", "02110",
             "1128b7", "20200115", "00000000", "00000000", ""]  # fmt: skip
    roe = ["ROE", "JANE", "", "", "IND- LIC HC SERV PRO", "NURSE", "", "0000000000", "19700304", "2 OAK ST",
           "WORCESTER", "MA", "01608", "1128a1", "20230301", "00000000", "00000000", ""]  # fmt: skip
    listed_clinician = ["KAY", "BO", "", "", "IND- LIC HC SERV PRO", "PHYSICIAN", "", LISTED_CLINICIAN_NPI,
                        "19600101", "3 PINE ST", "SALEM", "OR", "97301", "1128a1", "20220301", "00000000", "00000000",
                        ""]  # fmt: skip
    reyes = ["REYES", "ANA", "", "", "IND- LIC HC SERV PRO", "PHYSICIAN", "", "0000000000", "19790314", "4 BAY ST",
             "FRESNO", "CA", "93701", "1128b4", "20210601", "00000000", "00000000", ""]  # fmt: skip
    own = [f"ZED{uuid.uuid4().hex[:8].upper()}", "AL", "", "", "", "", "", "0000000000", "", "", "", "RI", "",
           "1128a1", "20230301", "00000000", "00000000", ""]  # fmt: skip
    path = tmp / "UPDATED.csv"
    path.write_bytes(
        LEIE.read_bytes() + "".join(_csv_row(r) for r in (shady, roe, listed_clinician, reyes, own)).encode()
    )
    return _cli(stack, tmp, "import", str(path), "--file-date", "2026-11-05").stdout.split()[0]


def _listing(stack: Stack, tmp: Path, file_date: str, npi: str) -> str:
    """An edition of the LEIE's real rows and one business with ``npi``, published on ``file_date``."""
    row = ["", "", "", f"LISTED {uuid.uuid4().hex[:6].upper()} LLC", "OTHER BUSINESS", "", "", npi, "", "", "",
           "NY", "", "1128b7", "20200115", "00000000", "00000000", ""]  # fmt: skip
    path = tmp / f"listing-{uuid.uuid4().hex[:6]}.csv"
    path.write_bytes(LEIE.read_bytes() + _csv_row(row).encode())
    return _cli(stack, tmp, "import", str(path), "--file-date", file_date).stdout.split()[0]


def test_a_monthly_run_records_matches_and_only_what_changed(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    listed, clean = stack.client(tenants[0]), stack.client(tenants[1])
    excluded = register(listed)  # its NPI is on the list
    owned = register(clean, npi=UNLISTED_NPI, legal_name="Quincy Family Care")
    person = clean.post(f"/v1/organizations/{owned}/disclosures", json=OWNER).json()["id"]  # Jane Roe, MA practice
    listed_doctor = register_practitioner(listed, excluded, npi=LISTED_CLINICIAN_NPI)
    reyes = register_practitioner(clean, owned)  # Ana Maria Reyes, born 1979-03-14: her name and birth date listed
    edition = _edition(stack, tmp_path)

    run = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-01", "--tenant", tenants[0])
    assert "1 practices, 1 clinicians, 2 subjects screened (2 confirmed_match); 2 screenings recorded" in run.stdout
    # A confirmed clinician renders nowhere new.
    link = {"organization_id": excluded, "service_location": "A", "on": "2026-12-02"}
    assert_problem(listed.post(f"/v1/practitioners/{listed_doctor}/rendering-links", json=link), 422,
                   "provider-excluded")  # fmt: skip
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
    # A later edition without the entries (a supplement, a reinstatement) never lifts a match by itself, and an
    # older one adds nothing: a reviewer clears a match, with the reason.
    newer = _listing(stack, tmp_path, "2026-11-20", UNLISTED_NPI)
    older = _listing(stack, tmp_path, "2026-10-05", UNLISTED_NPI)
    for later in (newer, older):
        kept = _cli(stack, tmp_path, "screen", "--edition", later, "--on", "2026-12-04", "--tenant", tenants[0])
        assert "(2 no_match); 0 screenings recorded" in kept.stdout
    [still] = listed.get(f"/v1/organizations/{excluded}").json()["exclusion_screenings"]
    assert (still["result"], still["list_version"]) == ("confirmed_match", edition)
    # The other firm: its practice is not listed, its owner is suspected (name and state), for review.
    other = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-01", "--tenant", tenants[1])
    assert "3 subjects screened (1 no_match, 2 suspected_match); 3 screenings recorded" in other.stdout
    # The clinician's name and date of birth (compared as keyed digests) make a suspected match, for review.
    [clinician] = clean.get(f"/v1/practitioners/{reyes}").json()["exclusion_screenings"]
    assert (clinician["result"], clinician["list_version"]) == ("suspected_match", edition)
    labels = [t["label"] for t in _tasks(clean, as_of="2026-12-01", organization_id=owned, kind="exclusion_review")]
    assert sorted(labels) == ["Review a suspected oig_leie match (Ana Reyes, MD)",
                              "Review a suspected oig_leie match (a disclosed person)"]  # fmt: skip
    cleared = clean.post(f"/v1/practitioners/{reyes}/exclusion-screenings/oig_leie/clear",
                         json={"on": "2026-12-02", "reason": "Another Ana Reyes: different state and NPI"})  # fmt: skip
    assert cleared.status_code == 200, cleared.text
    results = clean.get(f"/v1/organizations/{owned}/disclosures/{person}").json()["exclusion_screenings"]
    assert [(s["result"], s["list_version"]) for s in results] == [("suspected_match", edition)]
    review = _tasks(clean, as_of="2026-12-01", organization_id=owned, kind="exclusion_review")
    assert [t["priority"] for t in review] == ["high", "high"]
    # Cleared by a reviewer, the same evidence does not raise it again next month.
    cleared = clean.post(f"/v1/organizations/{owned}/disclosures/{person}/exclusion-screenings/oig_leie/clear",
                         json={"on": "2026-12-02", "reason": "Different person: date of birth differs"})  # fmt: skip
    assert cleared.status_code == 200, cleared.text
    later = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", "2026-12-04", "--tenant", tenants[1])
    assert "(1 no_match, 2 suspected_match); 0 screenings recorded" in later.stdout
    assert clean.get(f"/v1/organizations/{owned}/disclosures/{person}").json()["exclusion_screenings"][0][
        "result"] == "cleared"  # fmt: skip
    # A graver result dated before the screening it would follow is refused for that record, named, and the run
    # goes on (the other firm's practice is on the newer edition; its last screening was on 2026-12-01).
    stale = _cli(stack, tmp_path, "screen", "--edition", newer, "--on", "2026-11-25", "--tenant", tenants[1], code=1)
    assert f"refused for {tenants[1]} {owned}: screening-date-order" in stale.stderr
    assert "0 practices, 1 clinicians" in stale.stdout  # its clinician was screened all the same
    # Neither firm sees the other's screenings.
    assert listed.get(f"/v1/organizations/{owned}").status_code == 404


def test_a_confirmed_clinician_holds_its_own_applications_not_the_practices(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client = stack.client(tenants[0])
    org = register(client)
    doc = register_practitioner(client, org)
    body = {"source": "sam", "result": "confirmed_match", "list_version": "SAM 2026-11", "list_date": "2026-11-01",
            "screened_on": "2026-11-02"}  # fmt: skip
    assert client.post(f"/v1/practitioners/{doc}/exclusion-screenings", json=body).status_code == 200
    own = open_application(client, org, "enrollment", channel="portal", practitioner_id=doc, opened_on="2026-11-03")
    submit = {"submitted_on": "2026-11-04", "override_reason": "NPPES checked by hand"}
    problem = assert_problem(client.post(f"/v1/applications/{own}/submit", json=submit), 422, "provider-excluded")
    assert "the clinician Ana M. Reyes, MD is a confirmed match on the sam list" in problem["detail"]
    practices = open_application(client, org, opened_on="2026-11-03")  # its POSC registration
    assert client.post(f"/v1/applications/{practices}/submit", json=submit).status_code == 200
    # Another firm cannot screen or clear this firm's clinician.
    other = stack.client(tenants[1])
    assert other.post(f"/v1/practitioners/{doc}/exclusion-screenings", json=body).status_code == 404


def test_a_firm_screens_its_own_records_through_the_api(stack: Stack, tenants: tuple[str, str], tmp_path: Path) -> None:
    mine, theirs = stack.client(tenants[0], role="specialist"), stack.client(tenants[1])
    org = register(mine)  # its NPI is listed
    other = register(theirs)  # listed too, but another firm's
    edition = _edition(stack, tmp_path)
    url = f"/v1/exclusion-lists/{edition}/screenings"
    run = mine.post(url, json={"on": "2026-12-01"})
    assert run.status_code == 200, run.text
    assert run.json() == {"practices": 1, "clinicians": 0, "subjects": 1, "results": {"confirmed_match": 1},
                          "recorded": 1, "refused": []}  # fmt: skip
    assert mine.get(f"/v1/organizations/{org}").json()["exclusion_screenings"][0]["list_version"] == edition
    assert theirs.get(f"/v1/organizations/{other}").json()["exclusion_screenings"] == []  # not screened by them
    assert mine.post(url, json={"on": "2026-12-03"}).json()["recorded"] == 0  # nothing changed, 2 days on
    assert_problem(mine.post(f"/v1/exclusion-lists/{uuid.uuid4()}/screenings", json={}), 404, "not-found")
    assert_problem(stack.client(tenants[0], role="viewer").post(url, json={}), 403, "forbidden")
    assert_problem(mine.post(url, json={"on": "2099-01-01"}), 422, "effective-date-in-future")


def test_an_unchanged_result_is_recorded_again_once_half_the_firms_interval_has_passed(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    """Recorded at half the interval, so a firm whose runs come at least that often never has a subject the access
    audit calls unscreened (tests/api/test_screening_interval.py): 16 days for the default 31, 45 for a firm's 90."""
    monthly, quarterly = stack.client(tenants[0]), stack.client(tenants[1])
    practice = [register(client, npi=UNLISTED_NPI, legal_name="Quincy Family Care") for client in (monthly, quarterly)]
    assert quarterly.put("/v1/settings", json={"screening_interval_days": 90}).status_code == 200
    edition = _edition(stack, tmp_path)  # published 2026-11-05

    def recorded(tenant: str, on: str) -> str:
        run = _cli(stack, tmp_path, "screen", "--edition", edition, "--on", on, "--tenant", tenant)
        assert "1 subjects screened (1 no_match)" in run.stdout, run.stdout
        return run.stdout.rsplit("; ", 1)[1].split(" screenings")[0]

    assert [recorded(tenant, "2026-11-06") for tenant in tenants] == ["1", "1"]
    assert recorded(tenants[0], "2026-11-21") == "0"  # 15 days: within half of 31
    assert recorded(tenants[0], "2026-11-22") == "1"
    assert recorded(tenants[1], "2026-12-01") == "0"  # 25 days: within half of 90
    [kept] = quarterly.get(f"/v1/organizations/{practice[1]}").json()["exclusion_screenings"]
    assert kept["screened_on"] == "2026-11-06"


def test_an_import_with_screen_screens_the_firm_against_the_new_edition(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    """The month's routine in one command: the edition imported, then the firm screened against it today."""
    listed, other = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(listed)  # its NPI is on the list
    theirs = register(other)
    path = tmp_path / "listing.csv"
    row = ["", "", "", f"LISTED {uuid.uuid4().hex[:6].upper()} LLC", "OTHER BUSINESS", "", "", NPI, "", "", "",
           "NY", "", "1128b7", "20200115", "00000000", "00000000", ""]  # fmt: skip
    path.write_bytes(LEIE.read_bytes() + _csv_row(row).encode())
    _cli(stack, tmp_path, "import", str(path), "--tenant", tenants[0], code=2)  # --tenant needs --screen
    _cli(stack, tmp_path, "import", str(path), "--on", "2026-11-06", code=2)  # --on needs --screen too
    done = _cli(stack, tmp_path, "import", str(path), "--file-date", "2026-11-05", "--screen", "--tenant", tenants[0],
                "--on", "2026-11-06")  # fmt: skip
    imported, screened = done.stdout.strip().splitlines()
    assert imported.endswith("(imported)")
    assert screened == "1 practices, 0 clinicians, 1 subjects screened (1 confirmed_match); 1 screenings recorded"
    [found] = listed.get(f"/v1/organizations/{org}").json()["exclusion_screenings"]
    assert (found["result"], found["list_version"], found["screened_on"]) == (
        "confirmed_match",
        imported.split()[0],
        "2026-11-06",
    )
    assert other.get(f"/v1/organizations/{theirs}").json()["exclusion_screenings"] == []  # not this firm's run


def test_a_namesake_a_reviewer_cleared_is_screened_again_as_no_match(
    stack: Stack, tenants: tuple[str, str], tmp_path: Path
) -> None:
    """Once a reviewer cleared a namesake, the runs go on screening the clinician: the entry still listed is no
    match for it, recorded once due (from the clearing), so the access audit never takes it for unscreened."""
    client = stack.client(tenants[0])
    org = register(client, npi=UNLISTED_NPI, legal_name="Quincy Family Care")
    reyes = register_practitioner(client, org)  # Ana Maria Reyes, born 1979-03-14: her name and birth date listed
    edition = _edition(stack, tmp_path)  # published 2026-11-05

    def run(on: str) -> str:
        return _cli(stack, tmp_path, "screen", "--edition", edition, "--on", on, "--tenant", tenants[0]).stdout

    assert "(1 no_match, 1 suspected_match); 2 screenings recorded" in run("2026-11-06")
    cleared = client.post(f"/v1/practitioners/{reyes}/exclusion-screenings/oig_leie/clear",
                          json={"on": "2026-11-09", "reason": "Another Ana Reyes: different NPI"})  # fmt: skip
    assert cleared.status_code == 200, cleared.text
    assert "(1 no_match, 1 suspected_match); 0 screenings recorded" in run("2026-11-20")  # 11 days on: not due
    # 16 days after the clearing (and 19 after the practice's screening): both due.
    assert "(1 no_match, 1 suspected_match); 2 screenings recorded" in run("2026-11-25")
    [last] = client.get(f"/v1/practitioners/{reyes}").json()["exclusion_screenings"]
    assert (last["result"], last["screened_on"], last["list_version"]) == ("no_match", "2026-11-25", edition)
