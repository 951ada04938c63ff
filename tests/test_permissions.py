"""Roles as well as scope (issue 21, 5): what each role may do is one table
(``responsibility_areas.permissions.TABLE``), printed in README and enforced beside the
scoping call. This walks it as a matrix: every role × every guarded action, on a row in
its scope and on one in the sibling township's, through the services the pages and the
API call."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from evaluations import services as evaluation
from evaluations.selectors import cases_for
from grievances import services as ledger_services
from grievances.services import MatterError
from liaison.models import Duty, Rank
from liaison.services import assign_responsibility
from responsibility_areas.models import Role
from responsibility_areas.permissions import TABLE, Action
from responsibility_areas.services import grant_membership
from tests.evaluations.factories import open_campaign
from tests.liaison.factories import make_cadre, make_household

pytestmark = pytest.mark.django_db

ROLES = [
    Role.CADRE,
    Role.CLERK,
    Role.TOWNSHIP_LEADER,
    Role.COUNTY_LEADER,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
]
WHERE = {  # each role's membership, as the demo grants it
    Role.CADRE: "ta",
    Role.CLERK: "ta",
    Role.TOWNSHIP_LEADER: "ta",
    Role.COUNTY_LEADER: "ca",
    Role.SUPERVISOR: "ca",
    Role.ADMINISTRATOR: "ca",
}


def _user(role, areas):
    user = get_user_model().objects.create_user(f"as_{role}")
    grant_membership(
        actor=None,
        actor_name="test",
        user=user,
        area=areas[WHERE[role]],
        role=role,
        start_date=date(2020, 1, 1),
    )
    if role == Role.CADRE:
        make_cadre(areas["va"], name="干部本人", user=user)
    return user


# A row outside each role's scope: the sibling township's, or the neighbouring county's.
OUTSIDE = {"ta": ("tb", "vb"), "ca": ("tc", "vc")}


@pytest.fixture
def world(areas):
    owners = {}
    for key, village in (("in", "va"), ("vb", "vb"), ("vc", "vc")):
        owners[key] = make_cadre(areas[village], name=f"首接{key}", rank=Rank.VILLAGE)
        assign_responsibility(
            actor=None,
            area=areas[village],
            cadre=make_cadre(areas[village], name=f"村{key}", rank=Rank.VILLAGE),
            duty=Duty.RESPONSIBLE,
            start_date=date(2020, 1, 1),
        )
    return owners


def _matter(world, areas, where, settled=False, feedback=False):
    matter = ledger_services.file_matter(
        actor=None,
        owner=world[where],
        applicant=make_household(areas["va" if where == "in" else where]),
        description="自来水管破裂",
        kind="difficulty",
        source="home_visit",
        received_on=date(2026, 11, 1),
    )
    if settled:
        matter = ledger_services.resolve(actor=None, matter=matter, resolution="已修")
    if feedback:
        matter = ledger_services.record_feedback(
            actor=None, matter=matter, feedback="满意", satisfaction="satisfied"
        )
    return matter


def _allowed(call) -> bool:
    try:
        call()
    except (MatterError, evaluation.EvaluationError):
        return False
    return True


def _expected(role, action) -> bool:
    return TABLE[role].get(action) == "area"


@pytest.mark.parametrize("role", ROLES)
def test_the_ledger_follows_the_table_in_scope_and_never_outside(role, areas, world):
    user = _user(role, areas)
    for where in ("in", OUTSIDE[WHERE[role]][1]):
        inside = where == "in"
        checks = {
            Action.RESOLVE: lambda w=where: ledger_services.resolve(
                actor=user, matter=_matter(world, areas, w), resolution="已修"
            ),
            Action.HANDLE: lambda w=where: ledger_services.explain(
                actor=user, matter=_matter(world, areas, w), explanation="政策不允许"
            ),
            Action.FEEDBACK: lambda w=where: ledger_services.record_feedback(
                actor=user,
                matter=_matter(world, areas, w, settled=True),
                feedback="满意",
                satisfaction="satisfied",
            ),
            Action.CLOSE_OUT: lambda w=where: ledger_services.close_out(
                actor=user, matter=_matter(world, areas, w, settled=True, feedback=True)
            ),
        }
        for action, call in checks.items():
            expected = inside and _expected(role, action)
            assert _allowed(call) == expected, (role, action, where)


@pytest.mark.parametrize("role", ROLES)
def test_the_evaluation_follows_the_table_in_scope_and_never_outside(role, areas, world):
    user = _user(role, areas)
    version = evaluation.create_questionnaire(
        actor=None, name="问卷", subject="cadre", questions=[{"text": "满意吗？"}]
    )
    for where, township, village in (("in", "ta", "va"), ("out", *OUTSIDE[WHERE[role]])):
        inside = where == "in"
        campaign = open_campaign(areas[township], name=f"测评{where}")
        evaluate = _expected(role, Action.EVALUATE) and inside
        assert (
            _allowed(
                lambda c=campaign, v=village: evaluation.issue_ballot_codes(
                    actor=user, campaign=c, village=areas[v]
                )
            )
            == evaluate
        ), (role, "ballots", where)
        assert (
            _allowed(
                lambda t=township: evaluation.create_campaign(
                    actor=user,
                    area=areas[t],
                    name="新测评",
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 12, 31),
                    questionnaire=version,
                )
            )
            == evaluate
        ), (role, "campaign", where)
    # The questionnaires serve the whole tree: nobody below its root edits them.
    assert not _allowed(
        lambda: evaluation.create_questionnaire(
            actor=user, name="改", subject="cadre", questions=[{"text": "？"}]
        )
    )


@pytest.mark.parametrize("role", ROLES)
def test_accountability_cases_are_read_by_who_decides_them_and_their_subject(role, areas, world):
    from evaluations.models import AccountabilityCase

    user = _user(role, areas)
    campaign = open_campaign(areas["ta"], name="测评")
    cases = []
    for cadre in [world["in"], getattr(user, "cadre", None)]:
        if cadre is None:
            continue
        case = AccountabilityCase(campaign=campaign, cadre=cadre, answers=3, dissatisfied=2)
        case.place_in(cadre.area)
        case.save()
        cases.append(case)
    readers = {Action.APPROVE, Action.SUPERVISE, Action.EVALUATE}
    may_read_all = any(_expected(role, a) for a in readers)
    visible = set(cases_for(user).values_list("pk", flat=True))
    assert (cases[0].pk in visible) == may_read_all, role
    if len(cases) > 1:  # a cadre reads the case about themselves
        assert cases[1].pk in visible


def test_the_readme_prints_the_table_as_enforced():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for role, grants in TABLE.items():
        cells = [
            "✔" if grants.get(a) == "area" else ("own" if grants.get(a) == "own" else "—")
            for a in Action
        ]
        row = f"| {role} | " + " | ".join(cells) + " |"
        assert row in readme, row


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_the_table_200_403_or_404(role, areas, world, api_client):
    """The same matrix through the API: allowed 200, in scope but not the role's 403, out
    of scope 404 (existence does not leak)."""
    user = _user(role, areas)
    api_client.force_authenticate(user)
    steps = {
        Action.RESOLVE: ("resolve", {"resolution": "已修"}, {}),
        Action.HANDLE: ("explain", {"explanation": "政策不允许"}, {}),
        Action.FEEDBACK: (
            "record-feedback",
            {"feedback": "满意", "satisfaction": "satisfied"},
            {"settled": True},
        ),
        Action.CLOSE_OUT: ("close-out", {}, {"settled": True, "feedback": True}),
    }
    for where in ("in", OUTSIDE[WHERE[role]][1]):
        for action, (path, body, state) in steps.items():
            matter = _matter(world, areas, where, **state)
            answer = api_client.post(
                f"/api/v1/grievances/{matter.pk}/{path}/",
                {**body, "version": matter.version},
                format="json",
            )
            if where != "in":
                expected = 404
            else:
                expected = 200 if _expected(role, action) else 403
            assert answer.status_code == expected, (role, action, where, answer.content)
