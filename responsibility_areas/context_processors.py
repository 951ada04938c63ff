from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role
from .scoping import scope_paths
from .selectors import current_area, user_roles

# (url name, label, roles that see it; None = everyone signed in)
_LEADERS = {Role.TOWNSHIP_LEADER, Role.COUNTY_LEADER, Role.ADMINISTRATOR}
_OFFICE = {Role.CLERK, *_LEADERS, Role.SUPERVISOR}
NAVIGATION = [
    ("home", _("Home"), None),
    ("dashboard:index", _("Dashboard"), {*_LEADERS, Role.SUPERVISOR, Role.CLERK}),
    ("my_page", _("My page"), {Role.CADRE}),
    ("household_list", _("Households"), _OFFICE),
    ("cadre_list", _("Cadres"), _OFFICE),
    ("visit_new", _("Enter a diary"), {Role.CLERK, Role.CADRE}),
    ("visit_list", _("Visit diaries"), None),
    ("import_list", _("Excel import"), {Role.CLERK, Role.ADMINISTRATOR}),
    ("grievances:list", _("Grievance ledger"), None),
    ("meetings:list", _("Joint meetings"), {Role.CLERK, *_LEADERS}),
    ("supervision:list", _("Supervision notices"), {Role.SUPERVISOR, Role.CADRE, *_LEADERS}),
    ("evaluations:campaigns", _("Satisfaction surveys"), _OFFICE),
    ("coverage", _("Coverage"), _OFFICE),
    ("quotas", _("Quotas"), {*_LEADERS, Role.SUPERVISOR}),
    ("responsibility_areas:index", _("Responsibility areas"), None),
    ("audit_log", _("Change log"), {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.COUNTY_LEADER}),
    ("api-docs", _("API"), {Role.ADMINISTRATOR}),
    ("help", _("How to use"), None),
]


def scope(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    nav = [
        {
            "name": name,
            "url": reverse(name),
            "label": label,
            "active": request.path == reverse(name),
        }
        for name, label, allowed in NAVIGATION
        if allowed is None or user.is_superuser or roles & allowed
    ]
    if user.is_staff:
        nav.append({"url": reverse("admin:index"), "label": _("Administration"), "active": False})
    return {
        "nav_items": nav,
        "user_roles": roles,
        "current_area": current_area(request),
        "has_scope": bool(scope_paths(user)),
    }
