"""One truth per figure (issue 21, 6): on the demo, for every demo role, every count a board
or 待办 shows opens a list of exactly that many rows. Seeded once; each role then walks
its home page (待办) and its board, follows each figure's link and counts what it opens."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from portal.dashboard.figures import INDICATORS
from portal.management.commands.seed_demo import DEMO_USERS

ROLES = [username for username, *_ in DEMO_USERS]
# Figures that are not a number of rows: rates, and sums of days.
NOT_ROWS = {i.key for i in INDICATORS if i.percent} | {"stay_days"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=open("/dev/null", "w"))
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)


def _rows(client, url) -> int | None:
    """How many rows the list at ``url`` shows (following redirects), or None when the
    link does not open a paginated list (a page about one thing)."""
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    context = response.context or {}
    paginator = getattr(context.get("page"), "paginator", None)
    if paginator is not None:
        return paginator.count
    for name in ("rows", "reports"):  # unpaginated lists (close-out, reports)
        if isinstance(context.get(name), list | tuple) or hasattr(context.get(name), "count"):
            rows = context[name]
            return len(rows) if isinstance(rows, list | tuple) else rows.count()
    return None


def _todo(client):
    response = client.get("/")
    assert response.status_code == 200
    for _title, sections in response.context["todo"] or []:
        for section in sections:
            if section.key == "my_quota":
                continue  # a quota's progress, not a number of rows
            yield f"待办 {section.key}", section.count, section.more_url


def _board(client):
    response = client.get("/dashboard/?period=month", follow=True)
    if response.status_code != 200 or "links" not in (response.context or {}):
        return
    html = response.content.decode()
    for href, key, shown in re.findall(
        r'<a href="([^"]+)" data-figure="([^"]+)">([^<]*)</a>', html
    ):
        if key in NOT_ROWS or not shown.strip().replace(",", "").isdigit():
            continue
        yield f"board {key}", int(shown.replace(",", "")), href.replace("&amp;", "&")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_count_opens_exactly_its_rows(demo, username):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    wrong = []
    for name, count, url in [*_todo(client), *_board(client)]:
        if not url:
            wrong.append(f"{name}: {count} and no link to its rows")
            continue
        listed = _rows(client, url)
        if listed is None:
            wrong.append(f"{name}: {count}, and its link {url} opens no list of rows")
        elif listed != count:
            wrong.append(f"{name}: shows {count}, its list {url} has {listed}")
    assert not wrong, "\n".join(wrong)
