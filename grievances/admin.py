"""The working calendar in the admin: an administrator enters next year's holidays and
make-up workdays when the State Council publishes them, then confirms the year."""

from django.contrib import admin

from . import services
from .models import WorkCalendarDay, WorkCalendarYear


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "confirmed_by", "confirmed_at"]
    fields = ["year", "source"]

    def has_change_permission(self, request, obj=None):
        return False  # a confirmed year stays; its days are edited one by one

    def save_model(self, request, obj, form, change):
        services.confirm_calendar_year(actor=request.user, year=obj.year, source=obj.source)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "workday", "name"]
    list_filter = ["workday"]
    date_hierarchy = "day"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        services.save_calendar_day(
            actor=request.user, day=obj.day, workday=obj.workday, name=obj.name
        )

    def delete_model(self, request, obj):
        services.remove_calendar_day(actor=request.user, day=obj)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            services.remove_calendar_day(actor=request.user, day=day)
