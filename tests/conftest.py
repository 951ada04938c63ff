"""Named personas on a small hand-made tree.

云南省 > 普洱市 > 思茅区 (county A) > 思茅镇 (township A, village 甲村 with group 一组)
                                   > 南屏镇 (township B, the sibling: village 乙村)
              > 宁洱县 (county B) > 宁洱镇 (township C, village 丙村)
"""

import os
from datetime import date, datetime

import pytest
from django.contrib.auth import get_user_model

from responsibility_areas.models import Level, Role
from responsibility_areas.services import AreaSpec, ensure_area_tree, grant_membership

TREE = [
    AreaSpec("p", None, "云南省", Level.PROVINCE, "530000000000"),
    AreaSpec("c", "p", "普洱市", Level.CITY, "530800000000"),
    AreaSpec("ca", "c", "思茅区", Level.COUNTY, "530802000000"),
    AreaSpec("ta", "ca", "思茅镇", Level.TOWNSHIP, "530802101000"),
    AreaSpec("va", "ta", "甲村", Level.VILLAGE, "530802101201"),
    AreaSpec("ga", "va", "一组", Level.GROUP),
    AreaSpec("tb", "ca", "南屏镇", Level.TOWNSHIP, "530802102000"),
    AreaSpec("vb", "tb", "乙村", Level.VILLAGE, "530802102201"),
    AreaSpec("cb", "c", "宁洱县", Level.COUNTY, "530821000000"),
    AreaSpec("tc", "cb", "宁洱镇", Level.TOWNSHIP, "530821101000"),
    AreaSpec("vc", "tc", "丙村", Level.VILLAGE, "530821101201"),
]
PASSWORD = "Correct-horse-9"


@pytest.fixture(autouse=True, scope="session")
def _clock_from_the_environment():
    """`LIAISON_TEST_CLOCK=2026-11-28T20:00:00+00:00 make test` runs the suite at that moment.

    Between 16:00 and 24:00 UTC the date in Asia/Shanghai is a day ahead of the UTC date:
    the suite must pass there too (a test that formats a UTC date where the page shows the
    local one fails only in those hours).
    """
    moment = os.environ.get("LIAISON_TEST_CLOCK")
    if not moment:
        yield
        return
    import time_machine

    with time_machine.travel(datetime.fromisoformat(moment), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's million rounds cost ~0.4 s per persona; tests need no strong hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids repeat between tests (SQLite rolls its
    sequences back), and a test's own writes commit nothing for the generation to see."""
    from django.core.cache import cache

    from grievances.deadlines import forget_calendar

    cache.clear()
    forget_calendar()  # the working calendar's per-process memo too
    yield


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks run in-process whatever REDIS_URL says (CI sets it for the real-worker tests).

    The integration tests start a real worker and beat of their own; the outbox tests point
    the app at a broker themselves (their fixture runs after this one).
    """
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def areas(db):
    return ensure_area_tree(actor=None, actor_name="test", specs=TREE)


def _person(username, area, role, **extra):
    user = get_user_model().objects.create_user(username, password=PASSWORD, **extra)
    if area is not None:
        grant_membership(
            actor=None,
            actor_name="test",
            user=user,
            area=area,
            role=role,
            start_date=date(2020, 1, 1),
        )
    return user


@pytest.fixture
def clerk_a(areas):
    return _person("clerk_a", areas["ta"], Role.CLERK, last_name="张", first_name="丽")


@pytest.fixture
def clerk_b_sibling(areas):
    return _person("clerk_b", areas["tb"], Role.CLERK, last_name="陈", first_name="芳")


@pytest.fixture
def county_leader(areas):
    return _person("county_leader", areas["ca"], Role.COUNTY_LEADER, last_name="李")


@pytest.fixture
def supervisor(areas):
    """The inspection team (督查组) of the county: runs evaluations, grades nobody's work."""
    return _person("supervisor", areas["ca"], Role.SUPERVISOR, last_name="督")


@pytest.fixture
def province_evaluator(areas):
    """The province's inspection office: keeps the questionnaires every campaign uses."""
    return _person("province_evaluator", areas["p"], Role.SUPERVISOR, last_name="省")


@pytest.fixture
def city_admin(areas):
    return _person("city_admin", areas["c"], Role.ADMINISTRATOR, last_name="管")


@pytest.fixture
def nobody(db):
    return _person("nobody", None, None)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
