"""URLs of joint meetings, supervision notices, the public notice board and Open311.

Included once from ``liaison/urls.py``; each group has its own namespace.
"""

from django.urls import include, path

from . import public, public_reports
from .views import meetings as meeting_views

meeting_patterns = [
    path("", meeting_views.meeting_list, name="list"),
    path("export.xlsx", meeting_views.meeting_export, name="export"),
    path("due/", meeting_views.meeting_due_list, name="due"),
    path("new/", meeting_views.meeting_new, name="new"),
    path("<int:pk>/", meeting_views.meeting_detail, name="detail"),
]

supervision_patterns = [
    path("", meeting_views.notice_list, name="list"),
    path("export.xlsx", meeting_views.notice_export, name="export"),
    path("new/", meeting_views.notice_new, name="new"),
    path("<int:pk>/", meeting_views.notice_detail, name="detail"),
    path("<int:pk>/acknowledge/", meeting_views.notice_acknowledge, name="acknowledge"),
    path("<int:pk>/respond/", meeting_views.notice_respond, name="respond"),
]

board_patterns = [
    path("board/<int:pk>/", public.board, name="board"),
    path("board/code/<str:code>/", public.board_by_code, name="board_by_code"),
    path("board/<int:pk>/poster/", public_reports.board_poster, name="board_poster"),
    path("h/<str:token>/report/", public_reports.report_new, name="report"),
    path("track/", public_reports.report_track, name="track"),
]

open311_patterns = [
    path("discovery.json", public.open311_discovery, name="discovery"),
    path("services.json", public.open311_services, name="services"),
    path("requests.json", public.open311_requests, name="requests"),
    path("requests/<str:number>.json", public.open311_request, name="request"),
]

urlpatterns = [
    path("meetings/", include((meeting_patterns, "meetings"))),
    path("supervision/", include((supervision_patterns, "supervision"))),
    path("public/", include((board_patterns, "public"))),
    path("open311/v2/", include((open311_patterns, "open311"))),
]
