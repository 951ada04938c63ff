"""Cadres: list with quota progress, the cadre's page, quota compliance, commitments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from foundation.identity import mask_mobile
from foundation.versioning import StaleEdit
from foundation.xlsx import export_list
from liaison import seams, services
from liaison.forms.cadres import CadreForm, CommitmentForm, CommitmentStatusForm
from liaison.models import Cadre, Commitment, CommitmentStatus
from liaison.pairing_rules import breaches_of
from liaison.selectors import (
    behind_schedule_q,
    cadre_households,
    commitment_target,
    commitments_of,
    progress_row,
    quota_compliance_by_branch,
    with_quota_progress,
    year_fraction,
)
from responsibility_areas.models import Area
from responsibility_areas.places import Place, label_places, places_for
from responsibility_areas.selectors import current_area


def get_cadre_for(user, pk) -> Cadre:
    """The access helper: a cadre the user may see (or the user's own cadre), or 404."""
    own = getattr(user, "cadre", None)
    if own is not None and own.pk == int(pk):
        return own
    return get_object_or_404(Cadre.objects.visible_to(user).select_related("area"), pk=pk)


EXPORT_LIMIT = 200_000  # rows in one workbook


def filtered_cadres(request):
    """(cadres in scope with their year's progress, area, today) as the list filters them."""
    area = current_area(request)
    today = timezone.localdate()
    cadres = Cadre.objects.visible_to(request.user)
    if area:
        cadres = cadres.subtree_of(area)
    query = request.GET.get("q", "").strip()
    if query:
        cadres = cadres.filter(name__contains=query)
    cadres = with_quota_progress(cadres, today.year)
    if request.GET.get("behind"):
        cadres = cadres.filter(behind_schedule_q(year_fraction(today)))
    if request.GET.get("breaking_rules") and area is not None:
        from liaison.indicators import cadres_breaking_rules_in

        cadres = cadres.filter(pk__in=cadres_breaking_rules_in(area, today).values("pk"))
    return cadres, area, today


@login_required
def cadre_export(request):
    """The filtered list as .xlsx: place columns, phones masked, the year's figures; audited."""
    cadres, area, today = filtered_cadres(request)
    cadres = list(cadres.order_by("area_path", "name", "id")[:EXPORT_LIMIT])
    places = places_for(c.area_path for c in cadres)
    headers = [
        _("Name"),
        pgettext("cadre", "Rank"),
        _("Unit"),
        _("Post"),
        _("County"),
        _("Township"),
        _("Village"),
        _("Mobile phone"),
        _("Contacts"),
        _("Visits into the village"),
        _("Days living in the village"),
        _("Behind schedule"),
    ]

    def rows():
        for c in cadres:
            where = places.get(c.area_path) or Place()
            behind = progress_row(c, today)["behind"]
            yield [
                c.name,
                c.get_rank_display(),
                c.unit,
                c.post,
                where.county,
                where.township,
                where.village,
                mask_mobile(c.phone) if c.phone else "",
                c.contacts,
                c.visits_in,
                c.stay_days_sum,
                behind,
            ]

    return export_list(
        request, what="cadres", title=_("Cadres"), headers=headers, rows=rows(), area=area
    )


@login_required
def cadre_list(request):
    cadres, area, today = filtered_cadres(request)
    query = request.GET.get("q", "").strip()
    page = Paginator(
        cadres.select_related("area").order_by("area_path", "name", "id"), 50
    ).get_page(request.GET.get("page"))
    rows = [{"cadre": c, "progress": progress_row(c, today)} for c in page]
    return render(
        request,
        "liaison/cadres/list.html",
        {"page": page, "rows": rows, "area": area, "query": query},
    )


@login_required
def cadre_new(request):
    area = current_area(request)
    areas = Area.objects.visible_to(request.user)
    form = CadreForm(
        request.POST or None,
        areas=areas.subtree_of(area) if area else areas,
        initial={"area": area.pk if area else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            cadre = services.register_cadre(actor=request.user, **form.cleaned_data)
        except services.LiaisonError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Cadre %(name)s registered.") % {"name": cadre.name})
            return redirect(cadre)
    return render(request, "liaison/cadres/form.html", {"form": form})


@login_required
def cadre_detail(request, pk):
    """The cadre's page: my households, my open matters, my quota, my commitments."""
    cadre = get_cadre_for(request.user, pk)
    today = timezone.localdate()
    annotated = with_quota_progress(Cadre.objects.filter(pk=cadre.pk), today.year).get()
    households = list(cadre_households(request.user, cadre))
    for household in households:
        household.days_since = (today - household.last_visit).days if household.last_visit else None
    minimum, maximum = commitment_target(cadre)
    commitments = list(commitments_of(request.user, cadre, today.year))
    return render(
        request,
        "liaison/cadres/detail.html",
        {
            "cadre": cadre,
            "households": label_places(households),
            "progress": progress_row(annotated, today),
            "commitments": commitments,
            "commitment_min": minimum,
            "commitment_max": maximum,
            "commitments_short": len(commitments) < minimum,
            "rule_breaches": breaches_of(cadre),
            "commitment_form": CommitmentForm(),
            "status_choices": CommitmentStatus.choices,
            "year": today.year,
            "matters": [],
            **seams.cadre_page_context(request.user, cadre),
        },
    )


@login_required
def my_page(request):
    cadre = getattr(request.user, "cadre", None)
    if cadre is None:
        raise Http404
    return redirect(cadre)


@login_required
@require_POST
def commitment_add(request, pk):
    cadre = get_cadre_for(request.user, pk)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        services.add_commitment(
            actor=request.user,
            cadre=cadre,
            year=timezone.localdate().year,
            content=form.cleaned_data["content"],
        )
        messages.success(request, _("Commitment added."))
    else:
        messages.error(request, _("Write what was promised (at most 200 characters)."))
    return redirect(cadre)


@login_required
@require_POST
def commitment_status(request, pk):
    commitment = get_object_or_404(Commitment.objects.visible_to(request.user), pk=pk)
    form = CommitmentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_commitment_status(
                actor=request.user, commitment=commitment, **form.cleaned_data
            )
        except StaleEdit as exc:
            current = exc.current
            messages.error(
                request,
                _(
                    "%(message)s Stored now: %(status)s · %(note)s; yours: %(yours)s · %(your_note)s."
                )
                % {
                    "message": exc.message,
                    "status": current.get_status_display(),
                    "note": current.note or "–",
                    "yours": dict(CommitmentStatus.choices)[form.cleaned_data["status"]],
                    "your_note": form.cleaned_data["note"] or "–",
                },
            )
        else:
            messages.success(request, _("Status saved."))
    return redirect(commitment.cadre)


@login_required
def quotas(request):
    """Quota compliance per branch below the current area, computed in the database."""
    area = current_area(request)
    today = timezone.localdate()
    rows = quota_compliance_by_branch(area, today) if area else []
    return render(
        request,
        "liaison/cadres/quotas.html",
        {"area": area, "rows": rows, "fraction": round(year_fraction(today) * 100), "today": today},
    )
