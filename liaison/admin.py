from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .importing.export import can_see_full_pii
from .models import AuditEvent, Cadre, Household, Pairing
from .resources import CadreResource, HouseholdResource, PairingRosterResource


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The change log is read-only, for everyone."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "object_id"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- People: read-only lists with import and export (liaison/resources.py) ------------------
# Changes go through the services (forms, the roster import); here the admin can look, import
# a file (all or nothing, audited) and export (masked unless the user may see full numbers).


class ScopedImportExportAdmin(ImportExportModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "full_pii": can_see_full_pii(request.user),
        }

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ScopedImportExportAdmin):
    resource_classes = [HouseholdResource]
    list_display = ["head_name", "id_number_masked", "phone_masked", "members", "area"]
    search_fields = ["head_name", "id_last4"]
    list_select_related = ["area"]


@admin.register(Cadre)
class CadreAdmin(ScopedImportExportAdmin):
    resource_classes = [CadreResource]
    list_display = ["name", "rank", "unit", "post", "area"]
    search_fields = ["name", "unit"]
    list_select_related = ["area"]


@admin.register(Pairing)
class PairingAdmin(ScopedImportExportAdmin):
    resource_classes = [PairingRosterResource]
    list_display = ["cadre", "household", "kind", "start_date", "end_date"]
    list_select_related = ["cadre", "household"]
