"""Contact cards (民情联系卡): the public token of a household, its masked name, the sheet.

A card's QR code leads to the household's public page. The page is reached without
login through a token signed (HMAC-SHA256, a salt of its own) with a key derived from
the data key: it cannot be guessed or forged from the household number, and a changed
character is a 404. Tokens are not stored; printed cards stay valid when ``SECRET_KEY``
is rotated, because the data key never changes silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from foundation import crypto
from foundation.masking import mask_name  # noqa: F401 (the card views and tests import it here)
from foundation.qr import qr_svg
from responsibility_areas.models import Area, Level

from .models import Cadre

SALT = "liaison.cards.household"
CARDS_PER_SHEET = 10  # 2 × 5 on A4, each card 95 × 55 mm
CARD_LIMIT = 1000
DEFAULT_DUTIES = _(
    "Keep in touch with and serve the people, collect their views and wishes, "
    "help solve their difficulties"
)
# Levels named on a card to place the household: township, village, group.
PLACE_LEVELS = (Level.TOWNSHIP, Level.VILLAGE, Level.COMMUNITY, Level.GROUP)


def _signer() -> signing.Signer:
    """Signed with a key derived from the data key, not ``SECRET_KEY``.

    Two million printed cards must outlive a rotation of the session secret; the data
    key is never changed silently (its fingerprint is checked, see ``lib.crypto``).
    """
    return signing.Signer(key=crypto.derived_secret(b"contact-card"), salt=SALT)


def household_token(household_pk: int) -> str:
    return _signer().sign_object(household_pk)


def household_pk_from_token(token: str) -> int | None:
    """The household number a token was signed for; ``None`` for a bad or forged token."""
    try:
        value = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def public_url(request, household_pk: int) -> str:
    """Absolute link to the public page; ``PUBLIC_BASE_URL`` wins over the request's host,
    so cards printed on an office intranet still point where the public can reach."""
    path = reverse("card_public", args=[household_token(household_pk)])
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def place_labels(paths) -> dict[str, str]:
    """For each area path, the names of its township, village and group ("思茅镇 甲村 一组").

    One query over every ancestor path of the given paths.
    """
    paths = set(paths)
    step = Area.steplen
    wanted = {p[:i] for p in paths for i in range(step, len(p) + 1, step)}
    names = dict(
        Area.objects.filter(path__in=wanted, level__in=PLACE_LEVELS).values_list("path", "name")
    )
    return {
        p: " ".join(names[p[:i]] for i in range(step, len(p) + 1, step) if p[:i] in names)
        for p in paths
    }


@dataclass(frozen=True)
class Card:
    household_name: str
    place: str
    cadre: Cadre
    duties: str
    url: str
    qr: str


def card_pairings(pairings):
    return pairings.select_related("cadre", "household").order_by(
        "area_path",
        "household__name_initials",
        "household__head_name",
        "household_id",
        "cadre__name",
    )


def build_cards(request, pairings) -> list[Card]:
    """One card per active pairing (a household with two cadres gets two cards)."""
    rows = list(card_pairings(pairings)[:CARD_LIMIT])
    places = place_labels(p.area_path for p in rows)
    links: dict[int, tuple[str, str]] = {}
    cards = []
    for pairing in rows:
        if pairing.household_id not in links:
            url = public_url(request, pairing.household_id)
            links[pairing.household_id] = (url, qr_svg(url))
        url, qr = links[pairing.household_id]
        cards.append(
            Card(
                household_name=pairing.household.head_name,
                place=places[pairing.area_path],
                cadre=pairing.cadre,
                duties=pairing.cadre.duties or str(DEFAULT_DUTIES),
                url=url,
                qr=qr,
            )
        )
    return cards


def sheets(cards: list) -> list[list]:
    """Cards cut into A4 pages."""
    return [cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]
