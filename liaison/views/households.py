"""Households: list, register, edit, pair, reveal; and the coverage check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foundation.filters import without_empty
from foundation.idempotency import key_from, once
from foundation.versioning import StaleEdit
from foundation.xlsx import export_list
from liaison import seams, services
from liaison.filters import HouseholdFilter
from liaison.forms.households import HouseholdForm, PairForm
from liaison.models import Cadre, Household, HouseholdCategory, Pairing
from liaison.pairing_rules import breaches, cadres_breaking_rules
from liaison.selectors import (
    active_pairing_exists,
    coverage_by_branch,
    unpaired_must_visit,
    with_last_visit,
)
from responsibility_areas.models import Area
from responsibility_areas.places import (
    Place,
    batches_with_places,
    label_page,
    label_places,
    place,
)
from responsibility_areas.selectors import current_area


def get_household_for(user, pk) -> Household:
    """The access helper: a household the user may see, or 404."""
    return get_object_or_404(Household.objects.visible_to(user).select_related("area"), pk=pk)


def _visible_areas(request):
    area = current_area(request)
    areas = Area.objects.visible_to(request.user)
    return areas.subtree_of(area) if area else areas


EXPORT_LIMIT = 500_000  # rows in one workbook


def filtered_households(request):
    """(households in scope, the area worked in, filter errors) as the list's filter narrows
    them.

    The page filters with the API's own :class:`HouseholdFilter` (search, category,
    must-visit, paired, party member, area); "unpaired" is the page's word for paired=false.
    """
    area = current_area(request)
    households = Household.objects.visible_to(request.user)
    if area:
        households = households.subtree_of(area)
    households = with_last_visit(households).annotate(paired=active_pairing_exists())
    data = without_empty(request.GET)
    if data.pop("unpaired", None):
        data["paired"] = "false"
    if data.get("must_visit") == "1":
        data["must_visit"] = "true"
    household_filter = HouseholdFilter(data, queryset=households, request=request)
    if household_filter.is_valid():
        return household_filter.qs, area, {}
    return households.none(), area, household_filter.errors  # said on the page, not ignored


@login_required
def household_list(request):
    households, area, errors = filtered_households(request)
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    page = Paginator(households.select_related("area").order_by("area_path", "head_name", "id"), 50)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "liaison/households/list.html",
        {
            "page": label_page(page.get_page(request.GET.get("page"))),
            "area": area,
            "query": query,
            "category": category,
            "categories": HouseholdCategory.choices,
            "filters": params.urlencode(),
            "filter_errors": errors,
            "pager_query": params.urlencode() + "&" if params else "",
        },
    )


@login_required
def household_export(request):
    """The filtered list as .xlsx: 县 / 乡镇 / 村 / 组 columns, numbers masked, audited."""
    households, area, _errors = filtered_households(request)
    households = households.order_by("area_path", "head_name", "id")
    headers = [
        _("Head of household"),
        _("County"),
        _("Township"),
        _("Village"),
        _("Group"),
        _("Resident ID number"),
        _("Mobile phone"),
        _("Members"),
        _("Categories"),
        _("Party member"),
        _("Paired"),
        _("Last visit"),
    ]

    def rows():
        for batch, places in batches_with_places(households, EXPORT_LIMIT):
            for h in batch:
                where = places.get(h.area_path) or Place()
                yield [
                    h.head_name,
                    where.county,
                    where.township,
                    where.village,
                    where.group,
                    h.id_number_masked,
                    h.phone_masked,
                    h.members,
                    "、".join(str(label) for label in h.category_labels()),
                    h.party_member,
                    h.paired,
                    h.last_visit or "",
                ]

    where = place(area).full if area else ""
    return export_list(
        request,
        what="households",
        title=_("Households"),
        headers=headers,
        rows=rows(),
        area=area,
        where=where,
    )


def _save_household(request, form, household=None):
    """Call the service; a rule broken there becomes an error on the right field."""
    data = form.cleaned_data
    common = {
        "actor": request.user,
        "head_name": data["head_name"],
        "phone": form.phone_to_save(),
        "members": data["members"],
        "address": data["address"],
        "categories": data["categories"],
        "party_member": data["party_member"],
    }
    try:
        if household is None:
            outcome = once(
                user=request.user,
                key=key_from(request),
                scope="household",
                model=Household,
                create=lambda: services.register_household(
                    area=data["area"], id_number=data["id_number"], **common
                ),
            )
            form.repeated = not outcome.created
            return outcome.obj
        return services.update_household(
            household=household, area=data["area"], version=data.get("version"), **common
        )
    except StaleEdit as exc:
        form.add_error(None, exc.message)
        form.stale = stored_household_values(exc.current)
        form.data = form.data.copy()  # what was typed stays; a second save is made on purpose
        form.data["version"] = exc.current.version
        return None
    except services.LiaisonError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        form.existing = exc.existing
        return None


def stored_household_values(household) -> list[tuple[str, str]]:
    """What is stored now, as the page shows it, beside what the user typed (a stale save)."""
    household.refresh_from_db()
    return [
        (_("Village / community / group"), household.area.name),
        (_("Head of household"), household.head_name),
        (_("Mobile phone"), household.phone_masked or "–"),
        (_("Members"), str(household.members)),
        (_("Address"), household.address or "–"),
        (_("Categories"), "、".join(str(c) for c in household.category_labels()) or "–"),
        (_("Party member household"), _("yes") if household.party_member else _("no")),
    ]


@login_required
def household_new(request):
    form = HouseholdForm(
        request.POST or None,
        areas=_visible_areas(request),
        initial={"area": request.GET.get("area")},
    )
    if request.method == "POST" and form.is_valid():
        household = _save_household(request, form)
        if household:
            for warning in getattr(form, "warnings", []):
                messages.warning(request, warning)
            if getattr(form, "repeated", False):
                messages.info(request, _("This household was already registered; here it is."))
            else:
                messages.success(
                    request, _("Household of %(name)s registered.") % {"name": household.head_name}
                )
            if "add_another" in request.POST:
                return redirect(f"{reverse('household_new')}?area={household.area_id}")
            return redirect(household)
    return render(request, "liaison/households/form.html", {"form": form, "household": None})


@login_required
def household_edit(request, pk):
    household = get_household_for(request.user, pk)
    initial = {
        "area": household.area_id,
        "head_name": household.head_name,
        "members": household.members,
        "address": household.address,
        "categories": household.category_list,
        "party_member": household.party_member,
        "version": household.version,
    }
    form = HouseholdForm(
        request.POST or None, areas=_visible_areas(request), editing=household, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        if _save_household(request, form, household):
            messages.success(request, _("Changes saved."))
            return redirect(household)
    return render(request, "liaison/households/form.html", {"form": form, "household": household})


def _detail_context(request, household, revealed=None):
    cadres = Cadre.objects.visible_to(request.user).order_by("name")
    return {
        "household": household,
        "pairings": household.pairings.select_related("cadre").order_by("end_date", "-start_date"),
        "visits": household.visits.select_related("cadre").order_by("-visited_on")[:20],
        "pair_form": PairForm(cadres=cadres),
        "can_reveal": request.user.has_perm("liaison.view_full_pii"),
        "revealed": revealed,
        **seams.household_page_context(request.user, household),  # its 民情档案
    }


@login_required
def household_detail(request, pk):
    household = get_household_for(request.user, pk)
    return render(request, "liaison/households/detail.html", _detail_context(request, household))


@login_required
@require_POST
def household_reveal(request, pk):
    """Full numbers, shown once in the response (never in a URL), and audited."""
    household = get_household_for(request.user, pk)
    try:
        revealed = services.reveal_household_identity(actor=request.user, household=household)
    except services.LiaisonError as exc:
        messages.error(request, exc.message)
        return redirect(household)
    response = render(
        request, "liaison/households/detail.html", _detail_context(request, household, revealed)
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def household_pair(request, pk):
    household = get_household_for(request.user, pk)
    form = PairForm(request.POST, cadres=Cadre.objects.visible_to(request.user))
    if form.is_valid():
        services.pair_household(actor=request.user, household=household, **form.cleaned_data)
        messages.success(
            request, _("Paired with %(cadre)s.") % {"cadre": form.cleaned_data["cadre"].name}
        )
    else:
        messages.error(request, _("Choose a cadre and a pairing kind."))
    return redirect(household)


@login_required
@require_POST
def pairing_end(request, pk):
    pairing = get_object_or_404(Pairing.objects.visible_to(request.user), pk=pk)
    try:
        services.end_pairing(actor=request.user, pairing=pairing)
        messages.success(request, _("The pairing has ended; it stays in the history."))
    except services.LiaisonError as exc:
        messages.error(request, exc.message)
    return redirect(pairing.household)


@login_required
def coverage(request):
    """No household left behind: must-visit households without a pairing, per branch."""
    area = current_area(request)
    if area is None:
        return render(request, "liaison/households/coverage.html", {"area": None})
    unpaired = unpaired_must_visit(request.user, area)
    return render(
        request,
        "liaison/households/coverage.html",
        {
            "area": area,
            "rows": coverage_by_branch(area),
            "unpaired": label_places(unpaired[:100]),
            "rule_breakers": [
                (c, breaches(c)) for c in cadres_breaking_rules(request.user, area)[:100]
            ],
        },
    )
