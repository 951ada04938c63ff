"""The API says what it does: schemathesis against a live server, as two roles (issue 9 §4).

Every operation of ``/api/v1/schema/`` is fuzzed (examples, coverage and fuzzing phases,
positive and negative data) as a county leader and as a township clerk on a small seeded
tree. Must hold: no server error, every response matches the schema, its status code is
one the schema documents, its content type and headers are those documented.

Not checked, with the reason:
* ``negative_data_rejection`` / ``positive_data_acceptance``: DRF trims strings and
  coerces types (``" 1 "`` is a valid id), so "negative" data it accepts and "positive"
  data a service refuses by a rule (a future date, a household outside the cadre's area)
  are behaviour, not schema violations;
* ``use_after_free``, ``ensure_resource_availability``: nothing in the API deletes;
* ``ignored_auth``: tested by hand in test_api_people (every endpoint without a token is
  401/403), and the token endpoint is public by design;
* ``unsupported_method``, ``allow_header_conformance``: Django answers 405 for them.
"""

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from foundation.apitokens import issue_token
from liaison.models import HouseholdCategory, MatterKind, PairingKind, Rank, VisitKind
from liaison.services import pair_household, record_visit
from tests.liaison.factories import make_cadre, make_household

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fuzz]

CHECKS = (
    "not_a_server_error,response_schema_conformance,status_code_conformance,"
    "content_type_conformance,response_headers_conformance,missing_required_header"
)
EXAMPLES = os.environ.get("LIAISON_FUZZ_EXAMPLES", "12")


@pytest.fixture
def seeded(areas, clerk_a, county_leader, clerk_b_sibling, settings):
    settings.LOGIN_RATE_PER_IP = "100000/60"  # the fuzzer logs in many times
    cadre = make_cadre(areas["ta"], name="刘强", rank=Rank.TOWNSHIP)
    other = make_cadre(areas["tb"], name="吴邻", rank=Rank.TOWNSHIP)
    poor = make_household(areas["ga"], name="王贫", categories=[HouseholdCategory.POOR])
    plain = make_household(areas["va"], name="赵普")
    make_household(areas["vb"], name="钱邻")
    pair_household(actor=None, cadre=cadre, household=poor, kind=PairingKind.TERRITORIAL)
    pair_household(actor=None, cadre=other, household=plain, kind=PairingKind.RELATIVES)
    record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=date(2026, 3, 10),
        kind=VisitKind.HOME,
        households=[poor, plain],
        matters=[{"household": poor, "kind": MatterKind.DIFFICULTY, "description": "屋顶漏雨"}],
    )
    return {"county_leader": county_leader, "clerk_a": clerk_a}


def _schemathesis():
    found = Path(sys.executable).parent / "st"
    return str(found) if found.exists() else shutil.which("st")


@pytest.mark.parametrize("role", ["county_leader", "clerk_a"])
def test_no_server_error_and_no_schema_violation(live_server, seeded, role, tmp_path):
    token = issue_token(actor=None, user=seeded[role])[0]
    report = tmp_path / "report.json"
    command = [
        _schemathesis(),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261128",
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--no-shrink",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        # Revoking the token would end the fuzzer's own session half-way (its own test:
        # tests/liaison/test_api_tokens.py).
        "--exclude-operation-id",
        "auth_token_destroy",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    summary = result.stdout[-6000:]
    Path(os.environ.get("LIAISON_FUZZ_LOG", "/dev/null")).write_text(result.stdout)
    assert result.returncode == 0, summary
    if report.exists():
        data = json.loads(report.read_text())
        assert data, summary
