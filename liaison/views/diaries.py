"""Visit diaries: the entry screen (the clerk's main screen), list and detail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from foundation.filters import without_empty
from foundation.idempotency import key_from, once
from foundation.periods import period_from
from foundation.xlsx import export_list
from liaison import services
from liaison.filters import VisitFilter
from liaison.forms.diaries import MatterFormSet, VisitForm
from liaison.indicators import ACTIVITY_LABELS, visit_figure_q
from liaison.models import (
    SIX_QUESTIONS,
    Household,
    Visit,
    VisitHousehold,
    VisitKind,
    VisitMatter,
)
from liaison.selectors import diary_cadres, households_to_pick, visible_visits
from responsibility_areas.places import Place, batches_with_places, label_page, label_places, place
from responsibility_areas.selectors import current_area

EXPORT_LIMIT = 200_000  # rows in one workbook


def get_visit_for(user, pk) -> Visit:
    return get_object_or_404(
        visible_visits(user).select_related("cadre", "entered_by", "area"), pk=pk
    )


CADRE_CHOICES = 300  # more cadres than this in the area: search by name instead of a list


def filtered_visits(request):
    """(filter, visits, area): the diaries in scope, in the area worked in, as filtered.

    The page, its Excel export and the API filter with the same :class:`VisitFilter`
    (cadre, month or dates, kind, search).
    """
    visits = visible_visits(request.user)
    area = current_area(request)
    if area:
        visits = visits.subtree_of(area)
    figure = request.GET.get("figure", "")
    if figure in ACTIVITY_LABELS:  # the diaries behind a dashboard figure
        period = period_from(request.GET.get("period"))
        visits = visits.filter(visit_figure_q(figure, period.start, period.as_of))
    data = without_empty(request.GET)
    visit_filter = VisitFilter(data or None, queryset=visits, request=request)
    if visit_filter.is_bound and visit_filter.is_valid():
        visits = visit_filter.qs
    return visit_filter, visits, area


def _cadre_choices(request, area):
    cadres = diary_cadres(request.user)
    if area:
        cadres = cadres.filter(area_path__startswith=area.path)
    cadres = list(cadres.values_list("pk", "name")[: CADRE_CHOICES + 1])
    return cadres if len(cadres) <= CADRE_CHOICES else None


@login_required
def visit_list(request):
    visit_filter, visits, area = filtered_visits(request)
    figure = request.GET.get("figure", "")
    period = period_from(request.GET.get("period")) if figure in ACTIVITY_LABELS else None
    page = Paginator(
        visits.select_related("cadre", "entered_by", "area").order_by("-visited_on", "-id"), 50
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "liaison/diaries/list.html",
        {
            "page": label_page(page.get_page(request.GET.get("page"))),
            "area": area,
            "place": place(area),
            "filter": visit_filter,
            "cadres": _cadre_choices(request, area),
            "kinds": VisitKind.choices,
            "figure": ACTIVITY_LABELS.get(figure),
            "period": period,
            "query": query.urlencode(),
            "pager_query": query.urlencode() + "&" if query else "",
        },
    )


@login_required
def visit_export(request):
    """What the list shows, as .xlsx: 乡镇 / 村 / 组 as columns, free text redacted, audited."""
    visit_filter, visits, area = filtered_visits(request)
    visits = visits.select_related("cadre", "entered_by").order_by("-visited_on", "-id")
    return export_visits(request, visits, area)


def export_visits(request, visits, area):
    headers = [
        _("Date of visit"),
        _("Cadre"),
        _("Unit"),
        _("Kind"),
        _("County"),
        _("Township"),
        _("Village"),
        _("Group"),
        _("Place"),
        _("Days living in the village"),
        _("Households visited"),
        _("Matters raised"),
        _("Entered by"),
        _("Entered at"),
    ]

    def rows():
        for batch, places in batches_with_places(visits, EXPORT_LIMIT):
            ids = [v.pk for v in batch]
            heads = {}
            for visit_id, name in VisitHousehold.objects.filter(visit_id__in=ids).values_list(
                "visit_id", "household__head_name"
            ):
                heads.setdefault(visit_id, []).append(name)
            matters = dict(
                VisitMatter.objects.filter(visit_id__in=ids)
                .values("visit_id")
                .annotate(n=Count("id"))
                .values_list("visit_id", "n")
            )
            for v in batch:
                where = places.get(v.area_path) or Place()
                yield [
                    v.visited_on,
                    v.cadre.name,
                    v.cadre.unit,
                    v.get_kind_display(),
                    where.county,
                    where.township,
                    where.village,
                    where.group,
                    v.place,
                    v.stay_days,
                    "、".join(heads.get(v.pk, [])),
                    matters.get(v.pk, 0),
                    _person(v.entered_by),
                    v.created_at,
                ]

    where = place(area).full if area else ""
    return export_list(
        request,
        what="visits",
        title=_("Visit diaries"),
        headers=headers,
        rows=rows(),
        area=area,
        where=where,
    )


def _person(user) -> str:
    return f"{user.last_name}{user.first_name}" or user.get_username()


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
            "where": place(visit.area),
            "households": label_places(visit.households.all()),
            "matters": visit.matters.select_related("household", "ledger_matter"),
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
            outcome.obj._resubmitted = True  # one message on a resubmit, not two
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
    chosen = label_places(_chosen(form, households))
    chosen_qs = households.filter(pk__in=[h.pk for h in chosen])
    formset = MatterFormSet(
        request.POST or None, prefix="matters", form_kwargs={"households": chosen_qs}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        visit = _save(request, form, formset)
        if visit is not None and not getattr(visit, "_resubmitted", False):
            messages.success(
                request,
                _("Diary saved: %(cadre)s, %(date)s, %(count)d household(s).")
                % {
                    "cadre": visit.cadre.name,
                    "date": visit.visited_on.isoformat(),
                    "count": len(form.cleaned_data["households"]),
                },
            )
        if visit is not None:
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
    results = label_places(
        households_to_pick(request.user, query, int(cadre_id) if usable else None)
    )
    return render(
        request, "liaison/diaries/_household_results.html", {"results": results, "query": query}
    )
