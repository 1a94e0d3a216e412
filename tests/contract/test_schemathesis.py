"""schemathesis over the served OpenAPI of a running `credledger up`: no input gives a 5xx, and every answer is
one the document declares (status, content type, schema, headers).

Path parameters come from records seeded for two firms: the token is firm A's admin, so A's ids reach the
records and B's must answer 404 as if they did not exist. Examples are few per operation and derandomized
(a fixed seed), so the run is bounded (well under 3 minutes on 2 cores) and does not flake. The change stream
is left out: it never ends, and tests/api/test_changes_and_settings.py covers it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis

from services.api.auth import issue_token
from tests.api.helpers import open_application, register
from tests.support import JWT_SECRET, Stack

pytestmark = pytest.mark.contract
EXAMPLES = 8  # per operation and generation mode (valid and invalid data)


def _seed(stack: Stack, tenant: str) -> dict[str, str]:
    client = stack.client(tenant)
    organization = register(client)
    account = client.post(
        "/v1/user-accounts",
        json={"organization_id": organization, "person_name": "Dana Reyes", "role": "primary"},
    )
    assert account.status_code == 201, account.text
    return {
        "organization_id": organization,
        "account_id": account.json()["id"],
        "application_id": open_application(client, organization),
    }


@pytest.fixture(scope="module")
def api_schema(stack: Stack) -> Any:
    tenant, other = "contract-a-" + uuid.uuid4().hex[:8], "contract-b-" + uuid.uuid4().hex[:8]
    ours, theirs = _seed(stack, tenant), _seed(stack, other)
    token = issue_token(JWT_SECRET, tenant=tenant, role="firm_admin", user="contract")
    config = schemathesis.Config.from_dict(
        {
            "base-url": stack.base_url,
            "auth": {"openapi": {"bearer": {"bearer": token}}},  # the document's security scheme
            "seed": 20260428,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
            },
            "phases": {"stateful": {"enabled": False}},
            "checks": {
                "enabled": True,
                # Schema-valid is not rule-valid: the domain refuses, as a 422 problem naming the rule, what a
                # schema cannot express (an NPI's check digit, a closed application, a correction that changes
                # nothing), and a 400 for headers whose format the schema leaves free (If-Match).
                "positive_data_acceptance": {
                    "expected-statuses": ["200", "201", "400", "401", "403", "404", "409", "410", "422"]
                },
            },
            # Mostly our firm's records (the rules run), sometimes the other firm's (404, nothing leaks).
            "dictionaries": {name: {"values": [ours[name], theirs[name]]} for name in ours},
            "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.9} for name in ours},
        }
    )
    schema = schemathesis.openapi.from_url(stack.base_url + "/schema/openapi.json", config=config)
    return schema.include(path_regex="^/v1/").exclude(path="/v1/views/changes"), set(theirs.values())


# Each operation is a Hypothesis test of its own, run here in turn (schemathesis' lazy pytest parametrization
# does not run under pytest 9), and every operation's failure is collected before the test fails.
@pytest.mark.timeout(600)
def test_no_input_breaks_the_contract(api_schema: Any) -> None:
    schema, theirs = api_schema
    failures: dict[str, str] = {}
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @hypothesis.settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(hypothesis.HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                if isinstance(case.query, dict) and "wait" in case.query:
                    case.query["wait"] = 0  # the freshness long poll answers at once (it may wait 30 s)
                response = case.call_and_validate()
                statuses[response.status_code] += 1
                # Another firm's record is never read nor changed (a 404 as if it did not exist, or refused
                # earlier: a bad token, an invalid body).
                if theirs & {str(value) for value in (case.path_parameters or {}).values()}:
                    assert response.status_code >= 400, (case.path, response.status_code)

            try:
                check()
            except hypothesis.errors.Unsatisfiable:  # no parameter to make invalid (e.g. GET /v1/settings)
                continue
            except BaseException as error:  # every operation's failures are reported together
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                failures[f"{operation.label} ({mode.value})"] = str(error)[:3000]
    print(f"schemathesis: {operations} operations, {sum(statuses.values())} cases, statuses {dict(statuses)}")
    assert operations >= 50 and statuses[404] and statuses[200] and statuses[422]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
