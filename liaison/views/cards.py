"""Contact cards: printable sheets per village or per cadre, and the card's public page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from liaison import seams
from liaison.cards import CARD_LIMIT, build_cards, household_pk_from_token, mask_name, place_labels
from liaison.cards import sheets as cut_into_sheets
from liaison.models import Household, Pairing
from liaison.services import HOUSEHOLD_LEVELS
from liaison.views.cadres import get_cadre_for
from responsibility_areas.views import get_area_for


def _sheet(request, pairings, title, back):
    total = pairings.count()
    cards = build_cards(request, pairings)
    return render(
        request,
        "liaison/cards/sheet.html",
        {
            "title": title,
            "back": back,
            "sheets": cut_into_sheets(cards),
            "count": len(cards),
            "total": total,
            "limited": total > CARD_LIMIT,
        },
    )


@login_required
def village_cards(request, pk):
    """Cards of every household of a village (or community, or group) with an active pairing."""
    area = get_area_for(request.user, pk)
    if area.level not in HOUSEHOLD_LEVELS:
        raise Http404
    pairings = Pairing.objects.active().visible_to(request.user).subtree_of(area)
    return _sheet(request, pairings, area.name, area)


@login_required
def cadre_cards(request, pk):
    """Cards of a cadre's paired households (others' households only where the user may see)."""
    cadre = get_cadre_for(request.user, pk)
    pairings = Pairing.objects.active().filter(cadre=cadre)
    if getattr(request.user, "cadre", None) != cadre:
        pairings = pairings.visible_to(request.user)
    return _sheet(request, pairings, cadre.name, cadre)


@cache_control(private=True, max_age=0)
def public_card(request, token):
    """What the QR code opens, without login: who to call. Never an ID number or phone."""
    pk = household_pk_from_token(token)
    household = (
        Household.objects.only("pk", "head_name", "area_path", "area_id").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if household is None:  # a mistyped, cut-off or withdrawn card: say what to do, in Chinese
        return render(request, "public/bad_card.html", status=404)
    pairings = Pairing.objects.active().filter(household=household).select_related("cadre")
    response = render(
        request,
        "liaison/cards/public.html",
        {
            "masked_name": mask_name(household.head_name),
            "place": place_labels([household.area_path])[household.area_path],
            "cadres": [p.cadre for p in pairings.order_by("start_date", "cadre__name")],
            "sections": seams.public_card_html(request, household, token),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
