"""Browser journeys in the system's headless Chromium against pytest-django's live server.

Never `playwright install`: Debian's Chromium is used (apt-get install -y chromium
chromium-driver fonts-wqy-microhei). `make test` installs it when missing (and stops, with
the command to run, where it cannot). The journeys are never skipped: without the browser
each one fails with that command, so a green run always includes them.
"""

import os
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from liaison.models import Duty, PairingKind, Rank
from liaison.services import assign_responsibility, pair_household
from responsibility_areas.models import Role
from responsibility_areas.services import grant_membership
from tests.conftest import PASSWORD
from tests.liaison.factories import make_cadre, make_household

# Sync Playwright runs an event loop in this thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).parent


MISSING = (
    f"{CHROMIUM} is missing: install it with `apt-get install -y chromium chromium-driver "
    "fonts-wqy-microhei` (`make test` does so as root; no browser downloads work here)."
)


def _browser_missing():
    return not os.path.exists(CHROMIUM)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if _browser_missing():
        pytest.fail(MISSING)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An English browser: the app must still answer in Chinese until the user switches.
    return {**browser_context_args, "locale": "en-US"}


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.fixture
def village_cadre(areas):
    """刘强, a village cadre with a login, responsible for 甲村 and paired with 王大明."""
    user = get_user_model().objects.create_user(
        "liu", password=PASSWORD, last_name="刘", first_name="强"
    )
    grant_membership(
        actor=None,
        actor_name="test",
        user=user,
        area=areas["va"],
        role=Role.CADRE,
        start_date=date(2020, 1, 1),
    )
    cadre = make_cadre(areas["va"], name="刘强", rank=Rank.VILLAGE, user=user)
    assign_responsibility(
        actor=None,
        area=areas["va"],
        cadre=cadre,
        duty=Duty.RESPONSIBLE,
        start_date=date(2020, 1, 1),
    )
    household = make_household(areas["ga"], name="王大明")
    pair_household(
        actor=None,
        cadre=cadre,
        household=household,
        kind=PairingKind.TERRITORIAL,
        start_date=date(2024, 1, 1),
    )
    return cadre, household
