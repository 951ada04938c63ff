"""django-import-export resources share the import's rules, and a bad row commits nothing."""

import pytest
import tablib
from django.core.exceptions import ValidationError

from foundation import crypto
from foundation.models import AuditEvent
from liaison.models import Cadre, Household, Pairing
from liaison.resources import (
    AreaResource,
    CadreResource,
    HouseholdResource,
    PairingRosterResource,
    resource_for,
)
from tests.liaison.factories import id_number
from tests.liaison.roster_files import HEADERS, roster_row

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADERS = [
    "县(区)",
    "乡(镇/街道)",
    "村(社区)",
    "村民小组",
    "户主姓名",
    "公民身份号码",
    "联系电话",
    "家庭人口",
    "户类别",
    "是否党员",
]


def dataset(rows, headers):
    return tablib.Dataset(*[[r.get(h, "") for h in headers] for r in rows], headers=headers)


def test_household_resource_commits_nothing_when_one_row_is_bad(areas, clerk_a):
    rows = [roster_row(), roster_row(**{"公民身份号码": "530802195803171235"})]
    result = HouseholdResource().import_data(dataset(rows, HOUSEHOLD_HEADERS), user=clerk_a)
    assert result.has_validation_errors() and result.invalid_rows[0].number == 2
    assert "公民身份号码" in result.invalid_rows[0].field_specific_errors
    assert Household.objects.count() == 0
    assert not AuditEvent.objects.filter(action="resource.imported").exists()


def test_household_resource_imports_a_good_file_once(areas, clerk_a):
    rows = [roster_row(**{"户主姓名": "王大"}), roster_row(**{"户主姓名": "李四"})]
    result = HouseholdResource().import_data(dataset(rows, HOUSEHOLD_HEADERS), user=clerk_a)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2 and Household.objects.count() == 2
    assert AuditEvent.objects.filter(action="resource.imported").count() == 1
    again = HouseholdResource().import_data(dataset(rows, HOUSEHOLD_HEADERS), user=clerk_a)
    assert again.totals["skip"] == 2 and again.totals["update"] == 0


def test_household_resource_refuses_rows_outside_scope(areas, clerk_a):
    row = roster_row(**{"乡(镇/街道)": "南屏镇", "村(社区)": "乙村", "村民小组": ""})
    result = HouseholdResource().import_data(dataset([row], HOUSEHOLD_HEADERS), user=clerk_a)
    assert result.has_validation_errors() and Household.objects.count() == 0


def test_household_resource_matches_english_and_full_width_headers(areas, clerk_a):
    headers = ["County", "Township", "Village", "户主 姓名", "ＩＤ number", "members"]
    row = {
        "County": "思茅区",
        "Township": "思茅镇",
        "Village": "甲村",
        "户主 姓名": "王大",
        "ＩＤ number": id_number(),
        "members": "4",
    }
    result = HouseholdResource().import_data(dataset([row], headers), user=clerk_a)
    assert not result.has_validation_errors(), [r.error for r in result.invalid_rows]
    assert Household.objects.get().members == 4


def test_cadre_resource_is_all_or_nothing_too(areas, clerk_a):
    headers = ["县(区)", "乡(镇/街道)", "姓名", "级别", "干部单位", "干部职务", "干部电话"]
    good = {
        "县(区)": "思茅区",
        "乡(镇/街道)": "思茅镇",
        "姓名": "刘强",
        "级别": "乡科级",
        "干部单位": "思茅镇人民政府",
        "干部职务": "副镇长",
        "干部电话": "13900000001",
    }
    bad = dict(good, 干部电话="12345")
    result = CadreResource().import_data(dataset([good, bad], headers), user=clerk_a)
    assert result.has_validation_errors() and Cadre.objects.count() == 0
    result = CadreResource().import_data(dataset([good], headers), user=clerk_a)
    assert Cadre.objects.get().rank == "township"


def test_roster_resource_uses_the_fast_path_and_is_all_or_nothing(areas, clerk_a):
    bad = [roster_row(), roster_row(**{"公民身份号码": "1"})]
    result = PairingRosterResource().import_data(dataset(bad, HEADERS), user=clerk_a)
    assert result.has_validation_errors() and Pairing.objects.count() == 0
    good = [roster_row()]
    result = PairingRosterResource().import_data(dataset(good, HEADERS), user=clerk_a)
    assert result.totals["new"] == 1 and Pairing.objects.count() == 1
    dry = PairingRosterResource().import_data(
        dataset([roster_row()], HEADERS), user=clerk_a, dry_run=True
    )
    assert dry.totals["new"] == 1 and Pairing.objects.count() == 1


def test_roster_resource_exports_masked_for_users_without_permission(areas, clerk_a):
    PairingRosterResource().import_data(
        dataset([roster_row(**{"联系电话": "13800138000"})], HEADERS), user=clerk_a
    )
    data = resource_for(Pairing, user=clerk_a).export(Pairing.objects.visible_to(clerk_a))
    assert data.headers == HEADERS
    assert data[0][HEADERS.index("联系电话")] == "138****8000"
    assert "*" in data[0][HEADERS.index("公民身份号码")]


def test_area_resource_exports_but_never_imports(areas):
    data = AreaResource().export()
    assert "思茅镇" in data["名称"]
    with pytest.raises(ValidationError):
        AreaResource().import_data(tablib.Dataset(headers=["名称"]))


def test_admin_lists_people_read_only_with_no_import_or_export(areas, superuser, client):
    """Issue 9 §2: the admin's export wrote live formulas and full numbers, unaudited."""
    from tests.liaison.factories import make_household

    household = make_household(areas["va"], name='=HYPERLINK("x")')
    client.force_login(superuser)
    page = client.get("/admin/liaison/household/")
    assert page.status_code == 200 and "HYPERLINK" in page.content.decode()
    assert "export" not in page.content.decode().lower()
    for model in ("household", "cadre", "pairing"):
        for action in ("import", "export"):
            assert client.get(f"/admin/liaison/{model}/{action}/").status_code in (302, 404)
    detail = client.get(f"/admin/liaison/household/{household.pk}/change/").content.decode()
    assert household.id_number_masked in detail
    assert crypto.decrypt(household.id_number_encrypted) not in detail
