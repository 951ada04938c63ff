"""Every default valid (issue 23 §4): a date a form fills in by itself is one its own date
field takes. Before: the joint-meeting form wrote today as "2026/12/07" into an
``<input type="date">``, which the browser rejects — 召开日期 came up blank and the form could
not be saved as given."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

CREATE_FORMS = [
    "meetings:new",
    "supervision:new",
    "grievances:new",
    "visit_new",
    "household_new",
    "cadre_new",
]


def test_every_date_a_create_form_fills_in_is_iso(admin_user, areas):
    client = Client()
    client.force_login(admin_user)
    seen = 0
    for name in CREATE_FORMS:
        response = client.get(reverse(name) + f"?area={areas['ta'].pk}")
        assert response.status_code == 200, name
        html = response.content.decode()
        for tag in re.findall(r'<input[^>]*type="date"[^>]*>', html):
            value = re.search(r'value="([^"]*)"', tag)
            seen += 1
            assert value is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.group(1)), (
                name,
                tag,
            )
    assert seen >= 3  # the forms do have dates


def test_the_joint_meeting_form_saves_with_its_own_default_date(client, clerk_a, areas):
    """Its defaults as the page gives them, plus only what a clerk must type (the chair)."""
    from grievances.models import JointMeeting

    client.force_login(clerk_a)
    url = reverse("meetings:new") + f"?area={areas['ta'].pk}"
    page = client.get(url).content.decode()
    held_on = re.search(r'<input[^>]*name="held_on"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]+)"', held_on).group(1)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    token = re.search(r'name="submission" value="([^"]+)"', page)
    data = {"area": areas["ta"].pk, "held_on": value, "chair": "王镇长"}
    if token:
        data["submission"] = token.group(1)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert JointMeeting.objects.get().held_on.isoformat() == value
