"""Admin: the tree displayed and searchable; changes go through the services."""

from django.contrib import admin
from treebeard.admin import TreeAdmin

from . import services
from .models import Area, Membership, PairingPolicy


@admin.register(Area)
class AreaAdmin(TreeAdmin):
    list_display = ["name", "level", "division_code", "numchild"]
    list_filter = ["level"]
    search_fields = ["name", "division_code"]
    fields = ["name", "level", "division_code"]
    readonly_fields = ["level"]

    def get_queryset(self, request):
        # treebeard's own queryset picks the level shown (and remembers the parent for the
        # tree template); the scope narrows it.
        return super().get_queryset(request) & Area.objects.visible_to(request.user)

    def has_add_permission(self, request):
        # New areas and moves go through the area pages (services keep the big tables right).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.update_area(actor=request.user, area=obj, changed=form.changed_data)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name", "area__name"]
    autocomplete_fields = ["area"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["user", "area", "role", "start_date"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.end_membership(actor=request.user, membership=obj, end_date=obj.end_date)
        else:
            saved = services.grant_membership(
                actor=request.user,
                user=obj.user,
                area=obj.area,
                role=obj.role,
                start_date=obj.start_date,
            )
            obj.pk = saved.pk


@admin.register(PairingPolicy)
class PairingPolicyAdmin(admin.ModelAdmin):
    list_display = ["area", "require_123", "min_poor_per_cadre"]
    list_filter = ["require_123", "min_poor_per_cadre"]
    search_fields = ["area__name"]
    autocomplete_fields = ["area"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area").visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["area"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = services.set_pairing_policy(
            actor=request.user,
            area=obj.area,
            require_123=obj.require_123,
            min_poor_per_cadre=obj.min_poor_per_cadre,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_pairing_policy(actor=request.user, policy=obj)

    def delete_queryset(self, request, queryset):
        for policy in queryset.select_related("area"):
            services.remove_pairing_policy(actor=request.user, policy=policy)
