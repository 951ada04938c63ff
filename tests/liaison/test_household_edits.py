"""Editing a household loses nothing (issue 10 §1).

* The edit page never showed the phone; saving it as shown erased the stored phone.
* Two sessions editing at once: the stale save silently put members back from 5 to 4.
"""

import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from foundation import crypto
from foundation.models import AuditEvent
from foundation.versioning import StaleEdit
from liaison import services
from liaison.models import Household
from tests.liaison.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(areas):
    return make_household(areas["va"], name="王大明", phone="15012342510", members=4)


def _form(client, household):
    page = client.get(reverse("household_edit", args=[household.pk]))
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    return page, data


def test_the_edit_page_shows_the_phone_masked_and_saving_it_as_shown_keeps_it(
    client, clerk_a, household
):
    client.force_login(clerk_a)
    page, data = _form(client, household)
    html = page.content.decode()
    assert "150****2510" in html and "15012342510" not in html
    data["members"] = 5
    response = client.post(reverse("household_edit", args=[household.pk]), data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.members == 5
    assert crypto.decrypt(household.phone_encrypted) == "15012342510"
    assert household.phone_masked == "150****2510"


def test_a_new_phone_replaces_it_and_removal_is_only_on_purpose(client, clerk_a, household):
    client.force_login(clerk_a)
    _, data = _form(client, household)
    client.post(reverse("household_edit", args=[household.pk]), {**data, "phone": "13912345678"})
    household.refresh_from_db()
    assert crypto.decrypt(household.phone_encrypted) == "13912345678"
    _, data = _form(client, household)
    client.post(reverse("household_edit", args=[household.pk]), {**data, "clear_phone": "on"})
    household.refresh_from_db()
    assert crypto.decrypt(household.phone_encrypted) == "" and household.phone_masked == ""


def test_a_stale_page_overwrites_nothing_and_shows_both_values(client, clerk_a, household):
    client.force_login(clerk_a)
    _, first = _form(client, household)
    _, second = _form(client, household)  # another session opens the same page
    client.post(reverse("household_edit", args=[household.pk]), {**first, "members": 5})
    response = client.post(
        reverse("household_edit", args=[household.pk]),
        {**second, "members": 4, "address": "新地址"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已被他人修改" in html and 'data-testid="stale-values"' in html
    assert 'value="新地址"' in html  # what was typed is still there
    household.refresh_from_db()
    assert household.members == 5 and household.address == ""
    # Saving again on purpose (the form now carries the current version) wins.
    again = response.context["form"].data.copy()
    response = client.post(reverse("household_edit", args=[household.pk]), again)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.members == 4 and household.address == "新地址"


def test_the_service_refuses_a_stale_version_and_records_nothing(clerk_a, household):
    kwargs = {"actor": clerk_a, "head_name": "王大明", "members": 5, "address": ""}
    services.update_household(household=household, version=1, **kwargs)
    before = AuditEvent.objects.count()
    with pytest.raises(StaleEdit):
        services.update_household(
            household=Household.objects.get(pk=household.pk), version=1, **{**kwargs, "members": 4}
        )
    assert Household.objects.get(pk=household.pk).members == 5
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_two_connections_saving_at_once_one_wins(clerk_a, household):
    """A real second connection: both read version 1, both save; exactly one wins."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with a database lock; this is PostgreSQL's case")
    barrier, results = threading.Barrier(2), []

    def save(members):
        close_old_connections()
        try:
            barrier.wait()
            services.update_household(
                actor=clerk_a,
                household=Household.objects.get(pk=household.pk),
                head_name="王大明",
                members=members,
                address="",
                version=1,
            )
            results.append(("won", members))
        except StaleEdit:
            results.append(("stale", members))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(m,)) for m in (5, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r[0] for r in results) == ["stale", "won"]
    winner = next(m for outcome, m in results if outcome == "won")
    stored = Household.objects.get(pk=household.pk)
    assert stored.members == winner and stored.version == 2


def test_a_stale_commitment_status_overwrites_nothing(client, clerk_a, areas):
    """The status drop-down showed "promised" on every row, so saving a note reset the
    status; and a second tab overwrote the first. Now: current status shown, version checked."""
    from liaison.models import Commitment, CommitmentStatus
    from tests.liaison.factories import make_cadre

    cadre = make_cadre(areas["ta"], name="刘强")
    commitment = services.add_commitment(actor=clerk_a, cadre=cadre, year=2026, content="修路")
    client.force_login(clerk_a)
    page = client.get(reverse("cadre_detail", args=[cadre.pk])).content.decode()
    assert f'name="version" value="{commitment.version}"' in page
    url = reverse("commitment_status", args=[commitment.pk])
    client.post(url, {"status": "in_progress", "note": "已开工", "version": 1})
    page = client.get(reverse("cadre_detail", args=[cadre.pk])).content.decode()
    assert '<option value="in_progress" selected>' in page
    stale = client.post(url, {"status": "fulfilled", "note": "", "version": 1}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.status, stored.note) == (CommitmentStatus.IN_PROGRESS, "已开工")


def test_saving_without_a_change_moves_no_version_and_records_nothing(client, clerk_a, household):
    """A save that changes nothing must not make other open pages stale."""
    client.force_login(clerk_a)
    _, data = _form(client, household)
    _, other = _form(client, household)  # another tab
    before = AuditEvent.objects.filter(action="household.updated").count()
    assert client.post(reverse("household_edit", args=[household.pk]), data).status_code == 302
    household.refresh_from_db()
    assert household.version == 1
    assert AuditEvent.objects.filter(action="household.updated").count() == before
    other["members"] = 6
    assert client.post(reverse("household_edit", args=[household.pk]), other).status_code == 302


def test_the_hidden_version_has_no_visible_label(client, clerk_a, household):
    client.force_login(clerk_a)
    html = client.get(reverse("household_edit", args=[household.pk])).content.decode()
    assert 'for="id_version"' not in html and 'name="version"' in html
