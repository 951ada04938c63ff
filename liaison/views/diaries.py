"""Visit diaries: the entry screen (the clerk's main screen), list and detail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from liaison import services
from liaison.forms.diaries import MatterFormSet, VisitForm
from liaison.indicators import ACTIVITY_LABELS, visit_figure_q
from liaison.lib.idempotency import key_from, once
from liaison.lib.periods import period_from
from liaison.models import SIX_QUESTIONS, Household, Visit, VisitKind
from liaison.selectors import diary_cadres, households_to_pick, visible_visits
from responsibility_areas.selectors import current_area


def get_visit_for(user, pk) -> Visit:
    return get_object_or_404(
        visible_visits(user).select_related("cadre", "entered_by", "area"), pk=pk
    )


@login_required
def visit_list(request):
    visits = visible_visits(request.user)
    area = current_area(request)
    if area:
        visits = visits.subtree_of(area)
    figure, period = request.GET.get("figure", ""), None
    if figure in ACTIVITY_LABELS:  # the diaries behind a dashboard figure
        period = period_from(request.GET.get("period"))
        visits = visits.filter(visit_figure_q(figure, period.start, period.as_of))
    page = Paginator(
        visits.select_related("cadre", "entered_by", "area").order_by("-visited_on", "-id"), 50
    )
    return render(
        request,
        "liaison/diaries/list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "area": area,
            "figure": ACTIVITY_LABELS.get(figure),
            "period": period,
            "query": f"figure={figure}&period={period.param}&" if period else "",
        },
    )


@login_required
def visit_detail(request, pk):
    visit = get_visit_for(request.user, pk)
    notes = [
        (label, getattr(visit, field)) for field, label in SIX_QUESTIONS if getattr(visit, field)
    ]
    return render(
        request,
        "liaison/diaries/detail.html",
        {
            "visit": visit,
            "notes": notes,
            "households": visit.households.select_related("area"),
            "matters": visit.matters.select_related("household"),
        },
    )


def _initial(request, cadres) -> dict:
    """Defaults for a new entry; "save and add another" carries cadre, date and kind over."""
    own = getattr(request.user, "cadre", None)
    cadre = request.GET.get("cadre") or (own.pk if own else None)
    return {
        "cadre": cadre if cadre and cadres.filter(pk=cadre).exists() else None,
        "visited_on": request.GET.get("date") or timezone.localdate(),
        "kind": request.GET.get("kind") or VisitKind.HOME,
        "households": request.GET.getlist("household"),
    }


def _chosen(form, households):
    """The households picked so far (kept across a failed save, in the order picked)."""
    ids = form.data.getlist("households") if form.is_bound else form.initial.get("households", [])
    ids = [i for i in ids if str(i).isdigit()]
    by_id = {h.pk: h for h in households.filter(pk__in=ids).select_related("area")}
    return [by_id[int(i)] for i in dict.fromkeys(ids) if int(i) in by_id]


def _save(request, form, formset):
    matters = [
        {
            key: f.cleaned_data[key]
            for key in ("household", "kind", "topic", "description", "solved_on_spot", "resolution")
        }
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    data = form.cleaned_data
    try:
        outcome = once(
            user=request.user,
            key=key_from(request),
            scope="visit",
            model=Visit,
            create=lambda: services.record_visit(
                actor=request.user,
                cadre=data["cadre"],
                visited_on=data["visited_on"],
                kind=data["kind"],
                households=data["households"],
                notes=form.notes(),
                matters=matters,
                place=data["place"],
                stay_days=data["stay_days"],
            ),
        )
        if not outcome.created:
            messages.info(request, _("This diary was already saved; here it is."))
        return outcome.obj
    except services.LiaisonError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@login_required
def visit_new(request):
    """Enter a diary: cadre, date, kind, households (chips), six questions, matters.

    On a validation error everything typed comes back, households and matters included.
    """
    cadres = diary_cadres(request.user)
    households = Household.objects.visible_to(request.user)
    form = VisitForm(
        request.POST or None,
        cadres=cadres,
        households=households,
        initial=_initial(request, cadres),
    )
    chosen = _chosen(form, households)
    chosen_qs = households.filter(pk__in=[h.pk for h in chosen])
    formset = MatterFormSet(
        request.POST or None, prefix="matters", form_kwargs={"households": chosen_qs}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        visit = _save(request, form, formset)
        if visit is not None:
            messages.success(
                request,
                _("Diary saved: %(cadre)s, %(date)s, %(count)d household(s).")
                % {
                    "cadre": visit.cadre.name,
                    "date": visit.visited_on.isoformat(),
                    "count": len(form.cleaned_data["households"]),
                },
            )
            if "add_another" in request.POST:
                query = urlencode(
                    {
                        "cadre": visit.cadre_id,
                        "date": visit.visited_on.isoformat(),
                        "kind": visit.kind,
                    }
                )
                return redirect(f"{reverse('visit_new')}?{query}")
            return redirect(visit)
    elif request.method == "POST":
        messages.error(
            request, _("The diary was not saved: please correct the fields marked below.")
        )
    return render(
        request, "liaison/diaries/form.html", {"form": form, "formset": formset, "chosen": chosen}
    )


@login_required
def household_search(request):
    """Households to pick, as buttons: by name, pinyin initials or last digits of ID/phone.

    With no text, the chosen cadre's paired households come first (the usual case).
    """
    query = request.GET.get("q", "").strip()
    cadre_id = request.GET.get("cadre", "")
    usable = cadre_id.isdigit() and diary_cadres(request.user).filter(pk=cadre_id).exists()
    results = households_to_pick(request.user, query, int(cadre_id) if usable else None)
    return render(
        request, "liaison/diaries/_household_results.html", {"results": results, "query": query}
    )
