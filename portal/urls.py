from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from evaluations import urls as evaluation_urls
from grievances.api_work import MonthlyLedgerView
from liaison import urls as liaison_urls
from liaison.api_auth import LockoutAwareObtainAuthToken

from . import views
from .api import router
from .dashboard.api import DashboardView
from .login import RateLimitedLoginView, admin_login

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("areas/", include("responsibility_areas.urls")),
    path("households/", include(liaison_urls.households)),
    path("cadres/", include(liaison_urls.cadres)),
    path("diary/", include(liaison_urls.diaries)),
    path("cards/", include(liaison_urls.cards)),
    path("imports/", include(liaison_urls.imports)),
    path("ledger/", include("grievances.urls")),
    path("responsibility/", include(liaison_urls.responsibility)),
    path("", include("grievances.public_urls")),  # meetings, supervision, public board, Open311
    path("", include(evaluation_urls.public_urls)),
    path("evaluations/", include("evaluations.urls")),
    path("dashboard/", include("portal.dashboard.urls")),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("health/", views.health, name="health"),
    path("help/", views.help_page, name="help"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("admin/login/", admin_login),  # rate-limited like /login/
    path("admin/", admin.site.urls),
    path("api/v1/dashboard/<int:area_id>/", DashboardView.as_view(), name="api-dashboard"),
    path(
        "api/v1/monthly-ledger/<int:area_id>/",
        MonthlyLedgerView.as_view(),
        name="api-monthly-ledger",
    ),
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/token/", LockoutAwareObtainAuthToken.as_view(), name="api-token"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
