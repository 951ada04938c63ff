"""Any text is safe in any URL (issue 21, 8): a topic with "/", "?", "#", "&", spaces or an
emoji — filed through the API — neither breaks the board (it answered 500 for every viewer
of the area) nor loses its way through the figure's link to the ledger's rows."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.grievances.conftest import ledger, make_matter  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

TOPICS = ["水/电", "路灯?坏了", "#3号井", "低保 & 医保", "危房 🏚️", "100%"]


@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_every_topic_round_trips_from_the_board_to_its_rows(
    make_matter,  # noqa: F811
    areas,
    county_leader,
    client,
):
    matters = {topic: make_matter(topic=topic) for topic in TOPICS}
    client.force_login(county_leader)
    board = client.get(reverse("dashboard:area", args=[areas["ca"].pk]) + "?period=month")
    assert board.status_code == 200
    for topic, matter in matters.items():
        url = reverse("dashboard:rows", args=[areas["ca"].pk, f"topic-{topic}"])
        assert url in board.content.decode().replace("&amp;", "&"), topic
        redirect = client.get(url + "?period=month")
        assert redirect.status_code == 302, topic
        listed = client.get(redirect["Location"])
        numbers = {m.number for m in listed.context["page"].object_list}
        assert numbers == {matter.number}, topic
