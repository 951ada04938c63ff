"""django-import-export resources: households, cadres, areas and the pairing roster.

They exist for the admin and for exports, and share the import's rules: headers are
matched through the same alias table (full-width, spaces, English), every cell is
judged by ``liaison.importing.cells`` and areas are found by ``AreaIndex`` within the
importing user's scope. Imports run through an audited service, in one transaction,
with ``rollback_on_validation_errors`` forced on: django-import-export's defaults
commit the good rows of a file with a bad one; here a bad row rolls back the file.

The roster resource hands the rows to the fast path (``plan_roster`` +
``services.import_roster``): the row-by-row machinery is ~40× slower at 100k rows.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from foundation import crypto
from foundation.identity import mask_id_number, mask_mobile
from liaison.importing import cells
from liaison.importing.areas import AreaIndex
from liaison.importing.export import can_see_full_pii, roster_rows
from liaison.importing.plan import AREA_KEYS, ROSTER_ALIASES, ROSTER_COLUMNS, ROSTER_HEADERS
from liaison.importing.reader import Column, HeaderMatcher, Table, clean_text
from liaison.importing.roster import initials, plan_roster
from liaison.models import Cadre, Household, Pairing, Rank, category_mask
from responsibility_areas.models import Area, Level

H = ROSTER_HEADERS


class CellWidget(widgets.Widget):
    """A widget whose ``clean`` is one of the shared cell parsers (errors in Chinese)."""

    def __init__(self, parse, render=str):
        super().__init__()
        self.parse, self._render = parse, render

    def clean(self, value, row=None, **kwargs):
        return self.parse(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self._render(value)


def _category_labels(mask: int) -> str:
    from liaison.models import CATEGORY_BITS

    labels = dict(zip(cells.category_label_list(), CATEGORY_BITS.values(), strict=True))
    return "、".join(label for label, bit in labels.items() if mask & bit)


class AuditedImportMixin:
    """Every import goes through ``services.import_through_resource`` (one audited transaction)."""

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        from liaison import services

        return services.import_through_resource(
            actor=kwargs.pop("user", None),
            resource=self,
            dataset=dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            collect_failed_rows=collect_failed_rows,
            **kwargs,
        )

    def import_data_in_transaction(self, dataset, *, user, dry_run, **kwargs):
        self._user = user
        return super().import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            **kwargs,
        )


class PlacedResource(AuditedImportMixin, resources.ModelResource):
    """A resource whose rows name their area by 县/乡/村/组, checked against the user's scope."""

    aliases: dict[str, tuple[str, ...]] = ROSTER_ALIASES

    def __init__(self, *, full_pii: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.full_pii = full_pii
        self._user = None

    def before_import(self, dataset, **kwargs):
        """Rename the file's headers to ours (same alias table as the fast import)."""
        matcher = HeaderMatcher(self.aliases)
        headers = []
        for header in dataset.headers or []:
            key = matcher.match(header)
            headers.append(self.header_for(key) if key else clean_text(str(header or "")))
        dataset.headers = headers
        self._areas = AreaIndex(kwargs.get("user"))

    def header_for(self, key: str) -> str:
        return ROSTER_HEADERS.get(key, key)

    def get_or_init_instance(self, instance_loader, row):
        """A bad key cell (ID number, phone) is a validation error of its column, not a crash."""
        try:
            return super().get_or_init_instance(instance_loader, row)
        except cells.CellError as exc:
            column = self.fields[self._meta.import_id_fields[0]].column_name
            raise ValidationError({column: exc.message}) from exc

    place_levels = (Level.VILLAGE, Level.COMMUNITY, Level.GROUP)

    def place_from(self, row) -> tuple | None:
        names = {k: cells.name(row.get(H[k], "")) for k in (*AREA_KEYS, "division_code")}
        if not any(names.values()):
            return None
        headers = {k: H[k] for k in (*AREA_KEYS, "division_code")}
        place, problem = self._areas.resolve(names, headers, self.place_levels)
        if problem:
            column, _code, message = problem
            raise ValidationError({column: message})
        return place

    def require_in_scope(self, instance):
        if instance.pk and not self._areas.in_scope(instance.area_path):
            raise ValidationError(_("This record belongs to an area outside your responsibility."))


class HouseholdResource(PlacedResource):
    county = fields.Field(column_name=H["county"], readonly=True)
    township = fields.Field(column_name=H["township"], readonly=True)
    village = fields.Field(column_name=H["village"], readonly=True)
    group = fields.Field(column_name=H["group"], readonly=True)
    head_name = fields.Field(
        attribute="head_name", column_name=H["head_name"], widget=CellWidget(cells.name)
    )
    id_number = fields.Field(
        attribute="id_number_hash",
        column_name=H["id_number"],
        widget=CellWidget(lambda v: crypto.blind_index(cells.id_number(v))),
    )
    phone = fields.Field(column_name=H["phone"], readonly=True)
    members = fields.Field(
        attribute="members", column_name=H["members"], widget=CellWidget(cells.count)
    )
    categories = fields.Field(
        attribute="categories",
        column_name=H["categories"],
        widget=CellWidget(lambda v: category_mask(cells.categories(v)), _category_labels),
    )
    party_member = fields.Field(
        attribute="party_member",
        column_name=H["party_member"],
        widget=CellWidget(cells.yes_no, lambda v: "是" if v else "否"),
    )

    class Meta:
        model = Household
        fields = (
            "county",
            "township",
            "village",
            "group",
            "head_name",
            "id_number",
            "phone",
            "members",
            "categories",
            "party_member",
        )
        import_id_fields = ("id_number",)
        skip_unchanged = True
        report_skipped = True

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        self.require_in_scope(instance)
        place = self.place_from(row)
        if place is None and instance.pk is None:
            raise ValidationError({H["village"]: _("The village is missing.")})
        if place is not None:
            instance.area_id, instance.area_path, instance.county_id, instance.township_id = place
        instance.name_initials = initials(instance.head_name)
        if instance.pk is None:
            number = cells.id_number(row.get(H["id_number"]))
            instance.id_number_encrypted = crypto.encrypt(number)
            instance.id_last4, instance.id_number_masked = number[-4:], mask_id_number(number)
        if H["phone"] in row or instance.pk is None:
            try:
                phone = cells.mobile(row.get(H["phone"], ""))
            except cells.CellError as exc:
                raise ValidationError({H["phone"]: exc.message}) from exc
            if instance.pk is None or crypto.decrypt(instance.phone_encrypted) != phone:
                instance.phone_encrypted = crypto.encrypt(phone)
                instance.phone_last4 = phone[-4:]
                instance.phone_masked = mask_mobile(phone) if phone else ""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or not instance.pk:
            return False
        keys = ("head_name", "members", "categories", "party_member", "area_id", "phone_encrypted")
        return all(getattr(instance, k) == getattr(original, k) for k in keys)

    # Export: area names and the numbers masked unless the exporting user may see them.
    def dehydrate_id_number(self, household):
        if self.full_pii:
            return crypto.decrypt(household.id_number_encrypted)
        return household.id_number_masked

    def dehydrate_phone(self, household):
        return (
            crypto.decrypt(household.phone_encrypted) if self.full_pii else household.phone_masked
        )

    def _area_name(self, household, levels):
        area = household.area.nearest(levels)
        return area.name if area else ""

    def dehydrate_county(self, household):
        return self._area_name(household, [Level.COUNTY])

    def dehydrate_township(self, household):
        return self._area_name(household, [Level.TOWNSHIP, Level.DEPARTMENT])

    def dehydrate_village(self, household):
        return self._area_name(household, [Level.VILLAGE, Level.COMMUNITY])

    def dehydrate_group(self, household):
        return household.area.name if household.area.level == Level.GROUP else ""


RANK_HEADER = "级别"


def _rank(value) -> str:
    raw = cells.name(value).lower()
    if not raw:
        return Rank.TOWNSHIP
    table = {}
    for rank, label in Rank.choices:
        table[rank] = rank
        from django.utils import translation

        for language in ("zh-hans", "en"):
            with translation.override(language):
                table[cells.name(str(label)).lower()] = rank
    if raw not in table:
        raise cells.CellError("bad_rank", _("Unknown rank “%(value)s”.") % {"value": raw})
    return table[raw]


class CadreResource(PlacedResource):
    aliases = {
        **ROSTER_ALIASES,
        "cadre_name": (H["cadre_name"], "姓名", "干部姓名", "name"),
        "rank": (RANK_HEADER, "rank"),
        "cadre_phone": (
            H["cadre_phone"],
            "手机",
            "手机号码",
            "电话",
            "联系电话",
            "phone",
            "mobile",
        ),
    }
    place_levels = None  # a cadre's home area may sit at any level
    county = fields.Field(column_name=H["county"], readonly=True)
    township = fields.Field(column_name=H["township"], readonly=True)
    village = fields.Field(column_name=H["village"], readonly=True)
    name = fields.Field(
        attribute="name", column_name=H["cadre_name"], widget=CellWidget(cells.name)
    )
    rank = fields.Field(attribute="rank", column_name=RANK_HEADER, widget=CellWidget(_rank))
    unit = fields.Field(
        attribute="unit", column_name=H["cadre_unit"], widget=CellWidget(cells.text)
    )
    post = fields.Field(
        attribute="post", column_name=H["cadre_post"], widget=CellWidget(cells.text)
    )
    phone = fields.Field(
        attribute="phone",
        column_name=H["cadre_phone"],
        widget=CellWidget(lambda v: cells.mobile(v, required=True)),
    )

    class Meta:
        model = Cadre
        fields = ("county", "township", "village", "name", "rank", "unit", "post", "phone")
        import_id_fields = ("phone",)
        skip_unchanged = True
        report_skipped = True

    def header_for(self, key):
        return RANK_HEADER if key == "rank" else super().header_for(key)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        self.require_in_scope(instance)
        place = self.place_from(row)
        if place is None and instance.pk is None:
            raise ValidationError({H["township"]: _("The township is missing.")})
        if place is not None:
            instance.area_id, instance.area_path, instance.county_id, instance.township_id = place

    def dehydrate_phone(self, cadre):
        return cadre.phone if self.full_pii else mask_mobile(cadre.phone)

    def _area_name(self, cadre, levels):
        area = cadre.area.nearest(levels)
        return area.name if area else ""

    def dehydrate_county(self, cadre):
        return self._area_name(cadre, [Level.COUNTY])

    def dehydrate_township(self, cadre):
        return self._area_name(cadre, [Level.TOWNSHIP, Level.DEPARTMENT])

    def dehydrate_village(self, cadre):
        return self._area_name(cadre, [Level.VILLAGE, Level.COMMUNITY])


class AreaResource(resources.ModelResource):
    """Export only: the tree changes through ``responsibility_areas.services``, never a file."""

    name = fields.Field(attribute="name", column_name="名称")
    level = fields.Field(attribute="level", column_name="级别")
    division_code = fields.Field(attribute="division_code", column_name="区划代码")
    parent = fields.Field(column_name="上级区域")

    class Meta:
        model = Area
        fields = ("name", "level", "division_code", "parent")

    def dehydrate_level(self, area):
        return area.get_level_display()

    def before_export(self, queryset, **kwargs):
        self._names = dict(Area.objects.values_list("path", "name"))  # one query, not one a row

    def dehydrate_parent(self, area):
        return getattr(self, "_names", {}).get(area.path[: -Area.steplen], "")

    def import_data(self, *args, **kwargs):
        raise ValidationError(_("Areas are changed in the area tree, not by importing a file."))


class PairingRosterResource(AuditedImportMixin, resources.ModelResource):
    """One row per open pairing, with the roster's headers; imports through the fast path."""

    class Meta:
        model = Pairing
        fields = ()

    def __init__(self, *, full_pii: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.full_pii = full_pii

    def export(self, queryset=None, **kwargs):
        queryset = Pairing.objects.all() if queryset is None else queryset
        keys = [k for k, _h, _a in ROSTER_COLUMNS if k != "division_code"]
        data = tablib.Dataset(headers=[H[k] for k in keys])
        for row in roster_rows(queryset, full_pii=self.full_pii):
            data.append([row[k] for k in keys])
        return data

    def import_data_in_transaction(self, dataset, *, user, dry_run, **kwargs):
        from liaison import services

        headers = [clean_text(str(h or "")) for h in dataset.headers or []]
        matcher = HeaderMatcher(ROSTER_ALIASES)
        table = Table(
            "dataset",
            1,
            [Column(i, h, matcher.match(h)) for i, h in enumerate(headers)],
            [(i + 2, [clean_text(v) for v in values]) for i, values in enumerate(dataset)],
        )
        plan = plan_roster(table, file_name="dataset", user=user)
        report = plan.report
        result = Result()
        result.total_rows = report.total_rows
        result.diff_headers = headers
        for error in report.errors:
            values = (
                dict(zip(headers, dataset[error.row - 2], strict=False)) if error.row >= 2 else {}
            )
            result.append_invalid_row(
                error.row, values, ValidationError({error.column: error.message})
            )
        result.totals[RowResult.IMPORT_TYPE_INVALID] = report.error_rows
        result.totals[RowResult.IMPORT_TYPE_NEW] = report.new
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = report.updated
        result.totals[RowResult.IMPORT_TYPE_SKIP] = report.unchanged
        if not dry_run and report.ok:
            services.import_roster(actor=user, plan=plan, file_name="admin")
        return result


def resource_for(model, *, user=None):
    """The resource for ``model``, exporting full numbers only to users allowed to see them."""
    full = can_see_full_pii(user)
    return {
        Household: HouseholdResource,
        Cadre: CadreResource,
        Pairing: PairingRosterResource,
        Area: AreaResource,
    }[model](**({} if model is Area else {"full_pii": full}))
