from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import MoveAreaForm
from .models import Area
from .scoping import can_manage_areas, visible_roots
from .selectors import SESSION_KEY, breadcrumbs, child_level_counts, level_counts

PICKER_LIMIT = 50


def get_area_for(user, pk) -> Area:
    """The access helper: an area the user may see, or 404."""
    return get_object_or_404(Area.objects.visible_to(user), pk=pk)


@login_required
def index(request):
    roots = visible_roots(request.user)
    return render(request, "responsibility_areas/index.html", {"roots": roots})


@login_required
def detail(request, pk):
    area = get_area_for(request.user, pk)
    move_form = None
    if can_manage_areas(request.user, area) and area.depth > 1:
        move_form = MoveAreaForm(area=area, candidates=Area.objects.visible_to(request.user))
    context = {
        "area": area,
        "crumbs": breadcrumbs(request.user, area),
        "children": child_level_counts(area),
        "totals": level_counts(area),
        "memberships": area.memberships.active().select_related("user"),
        "move_form": move_form,
    }
    return render(request, "responsibility_areas/detail.html", context)


@login_required
@require_POST
def move(request, pk):
    area = get_area_for(request.user, pk)
    if not can_manage_areas(request.user, area):
        raise Http404
    form = MoveAreaForm(request.POST, area=area, candidates=Area.objects.visible_to(request.user))
    if form.is_valid():
        try:
            services.move_area(
                actor=request.user, area=area, new_parent=form.cleaned_data["new_parent"]
            )
        except services.AreaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The area and everything under it were moved."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(area.get_absolute_url())


@login_required
def picker(request):
    """The area picker's panel: children of ``parent`` (or the scope roots), or search hits."""
    visible = Area.objects.visible_to(request.user)
    query = request.GET.get("q", "").strip()
    parent = None
    if query:
        areas = visible.filter(name__contains=query)[:PICKER_LIMIT]
    elif request.GET.get("parent"):
        parent = get_area_for(request.user, request.GET["parent"])
        areas = visible.filter(path__startswith=parent.path, depth=parent.depth + 1)[:PICKER_LIMIT]
    else:
        areas = visible_roots(request.user)
    context = {
        "areas": areas,
        "parent": parent,
        "crumbs": breadcrumbs(request.user, parent) if parent else [],
        "query": query,
    }
    return render(request, "responsibility_areas/_picker.html", context)


@login_required
@require_POST
def set_current(request):
    area = get_area_for(request.user, request.POST.get("area"))
    request.session[SESSION_KEY] = area.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = area.get_absolute_url()
    return redirect(target)
