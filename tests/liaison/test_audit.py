"""Every write goes through an audited service; every service leaves its record."""

import importlib
import inspect
from pathlib import Path

import pytest
from django.conf import settings

from foundation import audit
from foundation.models import AuditEvent
from responsibility_areas.models import Area, Level

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def service_modules():
    """Every ``services.py`` module, and every module of a ``services/`` package."""
    for path in sorted(ROOT.glob("*/services.py")):
        yield importlib.import_module(f"{path.parent.name}.services")
    for path in sorted(ROOT.glob("*/services/*.py")):
        package = importlib.import_module(f"{path.parent.parent.name}.services")
        module = importlib.import_module(f"{package.__name__}.{path.stem}")
        module.READS = getattr(package, "READS", ())
        yield module


def test_every_public_function_of_every_services_module_is_an_audited_service():
    unaudited = [
        f"{module.__name__}.{name}"
        for module in service_modules()
        for name, func in inspect.getmembers(module, inspect.isfunction)
        if func.__module__ == module.__name__
        and not name.startswith("_")
        and not getattr(func, "is_service", False)
        and name not in getattr(module, "READS", ())
    ]
    assert unaudited == []


def test_a_service_that_forgets_its_record_is_rolled_back(areas):
    @audit.service
    def rename_without_record(area):
        Area.objects.filter(pk=area.pk).update(name="改名")

    with pytest.raises(audit.UnauditedWrite):
        rename_without_record(areas["ta"])
    assert Area.objects.get(pk=areas["ta"].pk).name == "思茅镇"


def test_a_failing_service_leaves_neither_change_nor_record(areas):
    @audit.service
    def half_done(area):
        Area.objects.filter(pk=area.pk).update(name="改名")
        audit.record(actor=None, action="test.half", obj=area)
        raise ValueError("boom")

    with pytest.raises(ValueError):
        half_done(areas["ta"])
    assert Area.objects.get(pk=areas["ta"].pk).name == "思茅镇"
    assert not AuditEvent.objects.filter(action="test.half").exists()


def test_records_name_the_actor_and_the_area(areas, city_admin):
    from responsibility_areas.services import create_area

    area = create_area(actor=city_admin, parent=areas["ta"], name="新村", level=Level.VILLAGE)
    event = AuditEvent.objects.get(action="area.created")
    assert (event.actor, event.actor_name, event.area_path) == (city_admin, "city_admin", area.path)
    assert event.object_type == "responsibility_areas.area" and event.object_id == str(area.pk)


def test_membership_grant_and_end_are_recorded(clerk_a, city_admin):
    from responsibility_areas.models import Membership
    from responsibility_areas.services import end_membership

    assert AuditEvent.objects.filter(action="membership.granted", data__user="clerk_a").exists()
    end_membership(actor=city_admin, membership=Membership.objects.get(user=clerk_a))
    assert AuditEvent.objects.filter(action="membership.ended", actor=city_admin).exists()


def test_admin_membership_form_writes_through_the_service(client, superuser, areas, nobody):
    client.force_login(superuser)
    response = client.post(
        "/admin/responsibility_areas/membership/add/",
        {"user": nobody.pk, "area": areas["tb"].pk, "role": "clerk", "start_date": "2026-01-01"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="membership.granted", actor=superuser).exists()


def test_the_admin_area_tree_opens_for_a_superuser_and_a_scoped_staff_user(
    client, superuser, county_leader, areas
):
    """Finding: /admin/responsibility_areas/area/ answered 500 (treebeard's changelist needs
    its own queryset, which the scoped override skipped)."""
    client.force_login(superuser)
    for query in ("", "?level=village", "?q=思茅"):
        assert client.get("/admin/responsibility_areas/area/" + query).status_code == 200
    county_leader.is_staff = True
    county_leader.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Permission

    county_leader.user_permissions.add(Permission.objects.get(codename="view_area"))
    client.force_login(county_leader)
    page = client.get("/admin/responsibility_areas/area/?q=村")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲村" in html and "丙村" not in html  # 思茅区's villages, not 宁洱县's
