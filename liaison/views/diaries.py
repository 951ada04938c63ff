"""Visit diaries: list and detail (the entry screen is issue #3's next step)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path

from liaison.models import SIX_QUESTIONS, Visit
from responsibility_areas.models import Role
from responsibility_areas.selectors import current_area, user_roles


def visible_visits(user):
    """Cadres with no other role see their own diaries; others their subtree's."""
    roles = user_roles(user)
    own = getattr(user, "cadre", None)
    if own is not None and roles <= {Role.CADRE} and not user.is_superuser:
        return Visit.objects.filter(cadre=own)
    return Visit.objects.visible_to(user)


def get_visit_for(user, pk) -> Visit:
    return get_object_or_404(visible_visits(user).select_related("cadre", "entered_by", "area"), pk=pk)


@login_required
def visit_list(request):
    visits = visible_visits(request.user)
    area = current_area(request)
    if area:
        visits = visits.subtree_of(area)
    page = Paginator(visits.select_related("cadre", "entered_by", "area").order_by("-visited_on", "-id"), 50)
    return render(request, "liaison/diaries/list.html", {"page": page.get_page(request.GET.get("page")), "area": area})


@login_required
def visit_detail(request, pk):
    visit = get_visit_for(request.user, pk)
    notes = [(label, getattr(visit, field)) for field, label in SIX_QUESTIONS if getattr(visit, field)]
    return render(request, "liaison/diaries/detail.html", {
        "visit": visit, "notes": notes, "households": visit.households.select_related("area"),
        "matters": visit.matters.select_related("household")})


urlpatterns = [
    path("", visit_list, name="visit_list"),
    path("<int:pk>/", visit_detail, name="visit_detail"),
]
