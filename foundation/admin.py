from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from .models import AuditEvent

# DRF's token admin lists usable keys; the product's tokens are stored as digests
# (foundation.apitokens) and the old table is emptied, so the page goes.
# (rest_framework.authtoken comes before us in INSTALLED_APPS: its admin is registered.)
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


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
