"""One truth per figure (issue 21, 6): on the demo, for every demo role, every count a board
or 待办 shows opens a list of exactly that many rows. Seeded once (inside the test, so it
rolls back like any other); each role then walks its home page (待办) and its board,
follows each figure's link and counts what it opens."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from portal.dashboard.figures import INDICATORS
from portal.management.commands.seed_demo import DEMO_USERS

ROLES = [username for username, *_ in DEMO_USERS]
# Figures that are not a number of rows: rates, and sums of days.
NOT_ROWS = {i.key for i in INDICATORS if i.percent} | {"stay_days"}


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
def test_every_count_opens_exactly_its_rows_for_every_demo_role():
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    wrong, walked = [], 0
    for username in ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for name, count, url in [*_todo(client), *_board(client)]:
            walked += 1
            if not url:
                wrong.append(f"{username} · {name}: {count} and no link to its rows")
                continue
            listed = _rows(client, url)
            if listed is None:
                wrong.append(f"{username} · {name}: {count}, its link {url} opens no list")
            elif listed != count:
                wrong.append(f"{username} · {name}: shows {count}, {url} lists {listed}")
    assert walked > 50  # every role walked its figures
    assert not wrong, "\n".join(wrong)
