"""Free text never holds a full ID number or mobile (issue 9 §2): redacted when stored.

Decision: a number typed into a diary note, a matter description, a commitment, a meeting's
minutes... is masked on the way into the database, so no page, API answer, export or backup
can show it; the structured, encrypted fields are where numbers belong.
"""

import re
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from foundation.fields import RedactedTextField, redact_stored_rows
from grievances.models import Matter
from liaison.models import PairingKind, Visit, VisitKind, VisitMatter
from liaison.services import pair_household, record_visit
from tests.liaison.factories import id_number, make_cadre, make_household

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
FULL_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _clear(text: str) -> bool:
    return not FULL_ID.search(text) and not FULL_MOBILE.search(text)


@pytest.fixture
def typed(areas, clerk_a):
    cadre = make_cadre(areas["ta"], name="刘强")
    household = make_household(areas["va"], name="王贫")
    pair_household(actor=None, cadre=cadre, household=household, kind=PairingKind.TERRITORIAL)
    ident, mobile = id_number(), "13912345678"
    visit = record_visit(
        actor=clerk_a,
        cadre=cadre,
        visited_on=date(2026, 6, 1),
        kind=VisitKind.HOME,
        households=[household],
        notes={"q_difficulties": f"户主身份证{ident}，电话{mobile}，看病难"},
        matters=[
            {
                "household": household,
                "kind": "difficulty",
                "description": f"低保申请，联系{mobile}，证件{ident}",
            }
        ],
    )
    return {"visit": visit, "cadre": cadre, "ident": ident, "mobile": mobile}


def test_the_database_holds_only_the_masked_numbers(typed):
    visit = Visit.objects.get(pk=typed["visit"].pk)
    assert "139****5678" in visit.q_difficulties and _clear(visit.q_difficulties)
    assert _clear(VisitMatter.objects.get().description)
    matter = Matter.objects.get()
    assert _clear(matter.description) and "139****5678" in matter.description
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT q_difficulties FROM {Visit._meta.db_table}")
        assert all(_clear(row[0]) for row in cursor.fetchall())
    # The instance the caller holds is the stored one (an API answer built from it is clean).
    assert _clear(typed["visit"].q_difficulties)


def test_pages_and_api_show_no_full_number(client, api_client, clerk_a, typed):
    client.force_login(clerk_a)
    api_client.force_authenticate(clerk_a)
    visit, cadre = typed["visit"], typed["cadre"]
    for url in (
        reverse("cadre_detail", args=[cadre.pk]),
        reverse("visit_detail", args=[visit.pk]),
        reverse("visit_list"),
        f"/api/v1/visits/{visit.pk}/",
        "/api/v1/visits/",
        "/api/v1/grievances/",
        reverse("grievances:list"),
        reverse("grievances:detail", args=[Matter.objects.get().pk]),
    ):
        body = (client if url.startswith("/api/") is False else api_client).get(url)
        assert body.status_code == 200, url
        text = body.content.decode()
        assert typed["mobile"] not in text and typed["ident"] not in text, url


def test_an_update_passes_through_the_redaction(typed):
    Visit.objects.filter(pk=typed["visit"].pk).update(q_wishes="请回电 13700001111")
    assert Visit.objects.get(pk=typed["visit"].pk).q_wishes == "请回电 137****1111"


def test_older_rows_are_redacted_by_the_migration_helper(typed):
    with connection.cursor() as cursor:  # what an older version stored, bypassing the field
        cursor.execute(
            f"UPDATE {Visit._meta.db_table} SET q_basic = %s", ["老电话 13600002222 家住二组"]
        )
    assert redact_stored_rows(Visit, ["q_basic", "q_wishes"]) == 1
    assert Visit.objects.get().q_basic == "老电话 136****2222 家住二组"
    assert redact_stored_rows(Visit, ["q_basic"]) == 0


def test_every_free_text_field_of_peoples_records_is_redacting():
    from django.apps import apps
    from django.db import models

    exempt = {
        ("liaison", "auditevent"),  # its own masking at record time
        ("liaison", "importjob"),
        ("grievances", "outbox"),
    }
    plain = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in {"liaison", "grievances", "evaluations"}:
            continue
        if (meta.app_label, meta.model_name) in exempt:
            continue
        for field in meta.get_fields():
            if (
                isinstance(field, models.TextField)
                and field.editable
                and not isinstance(field, RedactedTextField)
            ):
                plain.append(f"{meta.label}.{field.name}")
    assert plain == []
