from django.contrib import admin

from .models import Cadre, Household, Pairing

# --- People: read-only, scoped lists ------------------------------------------------------
# Changes go through the services (forms, the roster import page). The admin offers no import
# or export of people (issue 9): django-import-export's admin export wrote live formulas and
# full ID numbers with no change-log entry. Exports are the product's own (masked, formulas
# escaped, audited): the ledger export, the roster error report, the household list export.


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ScopedReadOnlyAdmin):
    list_display = ["head_name", "id_number_masked", "phone_masked", "members", "area"]
    search_fields = ["head_name", "id_last4"]
    list_select_related = ["area"]
    fields = readonly_fields = [
        "head_name",
        "id_number_masked",
        "phone_masked",
        "members",
        "address",
        "party_member",
        "area",
    ]


@admin.register(Cadre)
class CadreAdmin(ScopedReadOnlyAdmin):
    list_display = ["name", "rank", "unit", "post", "area"]
    search_fields = ["name", "unit"]
    list_select_related = ["area"]


@admin.register(Pairing)
class PairingAdmin(ScopedReadOnlyAdmin):
    list_display = ["cadre", "household", "kind", "start_date", "end_date"]
    list_select_related = ["cadre", "household"]
