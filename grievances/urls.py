from django.urls import path

from . import views
from .views import deadlines, reports

app_name = "grievances"

urlpatterns = [
    path("", views.matter_list, name="list"),
    path("export.xlsx", views.matter_export, name="export"),
    path("new/", views.matter_new, name="new"),
    path("households/", views.household_search, name="household_search"),
    path("close-out/", views.close_out_month, name="close_out"),
    path("deadlines/", deadlines.county_deadlines, name="deadlines"),
    path("monthly/", views.monthly_ledger, name="monthly"),
    path("monthly/export.xlsx", views.monthly_export, name="monthly_export"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/<int:pk>/accept/", reports.report_accept, name="report_accept"),
    path("monthly/rerun/", views.rerun_rollup, name="rerun_rollup"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/print/", views.matter_print, name="print"),
    path("<int:pk>/<slug:action>/", views.matter_action, name="action"),
]
