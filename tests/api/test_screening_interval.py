"""Exclusion screening in the access audit (42 CFR 455.436): a practice, each owner and managing employee it
disclosed and each clinician on its roster or rendering there must have been screened against the OIG LEIE and SAM
within the firm's interval (default 31 days), else screening_overdue; a clinician's confirmed match is a critical
finding at every practice where it renders, on the days it does. Two firms, each with its own interval, and client
viewers of one practice."""

from __future__ import annotations

import httpx

from tests.api.helpers import assert_problem, register, screen_clean
from tests.api.test_endpoints import OWNER
from tests.api.test_practitioners import _ok, register_practitioner
from tests.support import Stack, fresh

VIEW = "/v1/views/access-audit"
SALEM_NPI = "1245319599"  # valid check digit
CLINICIAN = "Clinician Ana M. Reyes, MD"


def _findings(client: httpx.Client, org: str, as_of: str, kind: str) -> list[tuple[str, str]]:
    """(since, detail) of the organization's findings of that kind as of the day."""
    response = client.get(f"{VIEW}/{org}", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return [(f["since"], f["detail"]) for f in response.json()["findings"] if f["kind"] == kind]


def _overdue(whose: str, lists: str, days: int = 31) -> str:
    return f"{whose}: not screened within {days} days against {lists} (42 CFR 455.436)."


def _practices(client: httpx.Client) -> tuple[str, str, str]:
    """Pittsfield (the clinician's roster, where it renders from 2026-01-20) and Salem, where it also renders from
    2026-02-03."""
    home = register(client)
    salem = register(client, npi=SALEM_NPI, legal_name="Salem Pediatrics")
    doc = register_practitioner(client, home)  # registered 2026-01-12
    for org, on in ((home, "2026-01-20"), (salem, "2026-02-03")):
        _ok(client, f"/v1/practitioners/{doc}/rendering-links", organization_id=org, service_location="A", on=on)
    return home, salem, doc


def test_a_subject_not_screened_within_the_interval_is_a_finding(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    home, salem, doc = _practices(a)
    fresh(a)
    never = "the OIG LEIE (never) and SAM (never)"
    # Registered 2026-01-05: screened by the 31st day after, else overdue from the 32nd.
    assert _findings(a, home, "2026-02-05", "screening_overdue") == []
    assert _findings(a, home, "2026-02-06", "screening_overdue") == [
        ("2026-02-06", _overdue("The organization", never))
    ]
    # The clinician counts at its roster's practice from its registration, at Salem from its link there.
    assert _findings(a, home, "2026-02-13", "screening_overdue")[1] == ("2026-02-13", _overdue(CLINICIAN, never))
    assert _findings(a, salem, "2026-03-06", "screening_overdue") == [
        ("2026-02-06", _overdue("The organization", never))
    ]
    assert _findings(a, salem, "2026-03-07", "screening_overdue")[1] == ("2026-03-07", _overdue(CLINICIAN, never))

    owner = _ok(a, f"/v1/organizations/{home}/disclosures", **OWNER)["id"]  # disclosed 2026-03-01
    screen_clean(a, f"/v1/organizations/{home}", "2026-03-02")
    # Against one list only: the finding names the other.
    _ok(a, f"/v1/practitioners/{doc}/exclusion-screenings", source="oig_leie", result="no_match", list_version="m3",
        list_date="2026-03-01", screened_on="2026-03-10")  # fmt: skip
    fresh(a)
    assert _findings(a, home, "2026-04-01", "screening_overdue") == [("2026-02-13", _overdue(CLINICIAN, "SAM (never)"))]
    assert _findings(a, home, "2026-04-03", "screening_overdue") == [
        ("2026-02-13", _overdue(CLINICIAN, "SAM (never)")),
        ("2026-04-02", _overdue("Owner Jane Roe", never)),
        ("2026-04-03", _overdue("The organization", "the OIG LEIE (last 2026-03-02) and SAM (last 2026-03-02)")),
    ]
    screen_clean(a, f"/v1/organizations/{home}/disclosures/{owner}", "2026-04-06")
    screen_clean(a, f"/v1/practitioners/{doc}", "2026-04-06")
    fresh(a)
    assert [d for _, d in _findings(a, home, "2026-04-08", "screening_overdue")] == [
        _overdue("The organization", "the OIG LEIE (last 2026-03-02) and SAM (last 2026-03-02)")
    ]
    # The list filter finds the practices with the finding.
    listed = a.get(VIEW, params={"finding": "screening_overdue", "as_of": "2026-04-08"}).json()["items"]
    assert sorted(i["legal_name"] for i in listed) == ["Berkshire Family Health", "Salem Pediatrics"]

    # A firm that screens quarterly: the same facts are not overdue, for that firm only.
    b_org = register(b)
    assert a.get("/v1/settings").json()["screening_interval_days"] == 31
    changed = a.put("/v1/settings", json={"screening_interval_days": 90})
    assert changed.status_code == 200 and changed.json()["screening_interval_days"] == 90
    assert _findings(a, home, "2026-04-08", "screening_overdue") == []
    assert _findings(a, home, "2026-06-01", "screening_overdue") == [
        ("2026-06-01", _overdue("The organization", "the OIG LEIE (last 2026-03-02) and SAM (last 2026-03-02)", 90))
    ]
    fresh(b)
    assert b.get("/v1/settings").json()["screening_interval_days"] == 31
    assert _findings(b, b_org, "2026-04-08", "screening_overdue") == [
        ("2026-02-06", _overdue("The organization", never))
    ]
    assert b.get(f"{VIEW}/{home}").status_code == 404
    for bad in (6, 367, "monthly"):
        assert_problem(a.put("/v1/settings", json={"screening_interval_days": bad}), 400, "invalid-request")
    assert a.get("/v1/settings").json()["screening_interval_days"] == 90


def test_a_clinicians_confirmed_match_is_critical_where_it_renders(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    home, salem, doc = _practices(a)
    b_org = register(b)
    _ok(a, f"/v1/practitioners/{doc}/exclusion-screenings", source="sam", result="confirmed_match",
        list_version="2026-03", list_date="2026-03-01", screened_on="2026-03-04")  # fmt: skip
    _ok(a, f"/v1/practitioners/{doc}/rendering-link-ends", organization_id=salem, service_location="A",
        on="2026-03-20")  # fmt: skip
    fresh(a)
    excluded = (
        "2026-03-04",
        f"{CLINICIAN}: confirmed match on the sam exclusion list of 2026-03-01 (version 2026-03); no program pays for "
        "the services the clinician renders; its applications and new rendering links are held until the match is "
        "cleared with a reason.",
    )
    assert _findings(a, salem, "2026-03-03", "excluded") == []
    assert _findings(a, salem, "2026-03-04", "excluded") == [excluded]
    item = a.get(f"{VIEW}/{salem}", params={"as_of": "2026-03-04"}).json()
    assert ("excluded", "critical") in {(f["kind"], f["severity"]) for f in item["findings"]}
    # Salem's from the screening to the day the clinician stopped rendering there; its roster's practice's after.
    assert _findings(a, salem, "2026-03-19", "excluded") == [excluded]
    assert _findings(a, salem, "2026-03-20", "excluded") == []
    assert _findings(a, home, "2026-03-25", "excluded") == [excluded]
    # A client viewer of Salem sees it on Salem's audit, and nothing of the other practice.
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[salem])
    assert _findings(viewer, salem, "2026-03-10", "excluded") == [excluded]
    assert viewer.get(f"{VIEW}/{home}").status_code == 404
    # The other firm sees none of it.
    assert b.get(f"{VIEW}/{salem}").status_code == 404
    fresh(b)
    assert [f["kind"] for i in b.get(VIEW, params={"as_of": "2026-03-10"}).json()["items"] for f in i["findings"]
            if f["kind"] == "excluded"] == []  # fmt: skip
    assert b_org in {i["organization_id"] for i in b.get(VIEW).json()["items"]}

    _ok(a, f"/v1/practitioners/{doc}/exclusion-screenings/sam/clear", on="2026-03-26",
        reason="Lifted: OIG reinstated the clinician on 2026-03-25")  # fmt: skip
    fresh(a)
    assert _findings(a, home, "2026-03-25", "excluded") == [excluded]
    assert _findings(a, home, "2026-03-26", "excluded") == []
    # A suspected match of the clinician is a high finding, for review.
    _ok(a, f"/v1/practitioners/{doc}/exclusion-screenings", source="oig_leie", result="suspected_match",
        list_version="2026-04", list_date="2026-04-01", screened_on="2026-04-02")  # fmt: skip
    fresh(a)
    [(since, detail)] = _findings(a, home, "2026-04-06", "exclusion_suspected")
    assert since == "2026-04-02" and detail.startswith(f"{CLINICIAN}: suspected match on the oig_leie")
    # Once it renders nowhere (it left its roster's practice too), it is nobody's subject: no finding, no screening
    # due.
    _ok(a, f"/v1/practitioners/{doc}/rendering-link-ends", organization_id=home, service_location="A",
        on="2026-04-10")  # fmt: skip
    fresh(a)

    def about_the_clinician(as_of: str) -> list[str]:
        kinds = ("excluded", "exclusion_suspected", "screening_overdue")
        return [k for k in kinds if any(CLINICIAN in d for _, d in _findings(a, home, as_of, k))]

    assert about_the_clinician("2026-04-09") == ["exclusion_suspected"]
    assert about_the_clinician("2026-04-10") == []
    assert about_the_clinician("2026-06-01") == []  # long past its interval: no longer screened for the practice
