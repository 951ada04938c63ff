"""Admin: the tree displayed and searchable; changes go through the services."""

from django.contrib import admin
from treebeard.admin import TreeAdmin

from . import services
from .models import Area, Membership


@admin.register(Area)
class AreaAdmin(TreeAdmin):
    list_display = ["name", "level", "division_code", "numchild"]
    list_filter = ["level"]
    search_fields = ["name", "division_code"]
    fields = ["name", "level", "division_code"]
    readonly_fields = ["level"]

    def get_queryset(self, request):
        return Area.objects.visible_to(request.user)

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
