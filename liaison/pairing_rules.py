"""Pairing rules per cadre (DOMAIN.md §2), checked set-based over the active pairings.

Two rules, switched on by the area's ``PairingPolicy`` (the policy of the cadre's home
area or of its nearest ancestor that has one; without any, the default: at least one
poor household, no "123" pattern):

* **At least N poor households per cadre.** "Poor" is the poor-household category
  (贫困户) — the only category that counts as poor here; N is the
  policy's ``min_poor_per_cadre`` (1 by default, 2 in some places, 0 switches it off).
* **The "123" pattern** (``require_123``), see :func:`breaks_123_q`.

Every figure is one conditional COUNT per cadre in a single GROUP BY over
cadre ⟕ pairing ⟕ household; the policy is a CASE over the cadre's area path built from
the handful of policies that bear on the subtree. No Python loop over cadres or pairings.
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility_areas.models import Area, PairingPolicy

from .models import CATEGORY_BITS, Cadre, HouseholdCategory, category_mask

# The "123" pattern: 1 cadre, 2 party-member households, 3 ordinary households.
PATTERN_PARTY = 2
PATTERN_ORDINARY = 3
# "In hardship" (困难): households living on assistance or struck by illness, disability
# or disaster. Petitioning, left-behind, orphan, military and bereaved households are
# cared for under other rules and do not count as hardship here.
HARDSHIP = (
    HouseholdCategory.FIVE_GUARANTEE,
    HouseholdCategory.SUBSISTENCE,
    HouseholdCategory.POOR,
    HouseholdCategory.DISABLED,
    HouseholdCategory.MAJOR_ILLNESS,
    HouseholdCategory.DISASTER,
)
HARDSHIP_MASK = category_mask(HARDSHIP)
POOR_BIT = CATEGORY_BITS[HouseholdCategory.POOR]

FIGURES = ("paired", "poor", "party", "ordinary", "party_hardship", "ordinary_hardship")


def _has_bits(mask: int):
    return GreaterThan(F("active_pairings__household__categories").bitand(mask), 0)


def with_pairing_figures(cadres, on: date | None = None):
    """Annotate each cadre's active paired households: all, poor, party-member, ordinary,
    and party-member / ordinary households in hardship.

    The join carries only the active pairings (a ``FilteredRelation``: the condition sits
    in the JOIN), and at most one pairing of a cadre and a household is open at a time
    (a unique constraint), so plain counts are counts of households.
    """
    on = on or timezone.localdate()
    active = FilteredRelation(
        "pairings",
        condition=Q(pairings__start_date__lte=on)
        & (Q(pairings__end_date__isnull=True) | Q(pairings__end_date__gt=on)),
    )
    party = Q(active_pairings__household__party_member=True)
    ordinary = Q(active_pairings__household__party_member=False)
    hardship = Q(_has_bits(HARDSHIP_MASK))

    def households(condition=None):
        return Count("active_pairings__household", filter=condition)

    return cadres.annotate(active_pairings=active).annotate(
        paired=households(),
        poor=households(Q(_has_bits(POOR_BIT))),
        party=households(party),
        ordinary=households(ordinary),
        party_hardship=households(party & hardship),
        ordinary_hardship=households(ordinary & hardship),
    )


def _policy_case(policies: list[PairingPolicy], field: str, output_field):
    # Deepest first: CASE takes the first match, so the nearest enclosing policy wins.
    ordered = sorted(policies, key=lambda p: p.area.depth, reverse=True)
    whens = [
        When(area_path__startswith=p.area.path, then=Value(getattr(p, field))) for p in ordered
    ]
    default = Value(getattr(PairingPolicy(), field))
    return Case(*whens, default=default, output_field=output_field) if whens else default


def with_policy(cadres, area: Area):
    """Annotate ``require_123`` and ``min_poor`` from the policy governing each cadre's area.

    ``cadres`` must lie in ``area``'s subtree (only policies bearing on it are read).
    """
    policies = list(PairingPolicy.objects.bearing_on(area))
    return cadres.annotate(
        require_123=_policy_case(policies, "require_123", BooleanField()),
        min_poor=_policy_case(policies, "min_poor_per_cadre", IntegerField()),
    )


def breaks_123_q() -> Q:
    """The "123" pattern, as checked here: among the cadre's active pairings there are

    * at least 2 party-member households (党员户: ``Household.party_member``), and
    * at least 3 ordinary households (群众户: every household that is not a party-member
      household), and
    * at least 1 of the party-member households is in hardship (困难党员), and
    * at least 1 of the ordinary households is in hardship (困难群众).

    "Including one party member and one household in hardship" is read as "one party
    member in hardship and one ordinary household in hardship" (困难党员、困难群众各1户):
    a party-member household already counts towards the 2, so reading it as "one party
    member" would add nothing. Counts are minimums: a cadre with more households meets
    the pattern. A household in hardship counts once, in its own group (party or not).
    """
    return (
        Q(party__lt=PATTERN_PARTY)
        | Q(ordinary__lt=PATTERN_ORDINARY)
        | Q(party_hardship__lt=1)
        | Q(ordinary_hardship__lt=1)
    )


def breaks_rules_q() -> Q:
    return Q(poor__lt=F("min_poor")) | (Q(require_123=True) & breaks_123_q())


def checked_cadres(cadres, area: Area, on: date | None = None):
    """``cadres`` (within ``area``'s subtree) with their figures and governing policy."""
    return with_policy(with_pairing_figures(cadres, on), area)


def cadres_breaking_rules(viewer, area: Area, on: date | None = None):
    """Cadres of ``area``'s subtree, visible to ``viewer``, who break a pairing rule."""
    cadres = checked_cadres(Cadre.objects.visible_to(viewer).subtree_of(area), area, on)
    return cadres.filter(breaks_rules_q()).select_related("area").order_by("area_path", "name")


def breaches(cadre) -> list[str]:
    """What an annotated cadre (from :func:`checked_cadres`) lacks, as sentences."""
    found = []
    if cadre.poor < cadre.min_poor:
        found.append(
            _("%(done)s poor households paired, at least %(needed)s required")
            % {"done": cadre.poor, "needed": cadre.min_poor}
        )
    if cadre.require_123:
        checks = (
            (cadre.party, PATTERN_PARTY, _("party-member households")),
            (cadre.ordinary, PATTERN_ORDINARY, _("ordinary households")),
            (cadre.party_hardship, 1, _("party-member households in hardship")),
            (cadre.ordinary_hardship, 1, _("ordinary households in hardship")),
        )
        missing = [
            _("%(label)s %(done)s/%(needed)s") % {"label": label, "done": done, "needed": needed}
            for done, needed, label in checks
            if done < needed
        ]
        if missing:
            found.append(_('"123" pattern not met: %(missing)s') % {"missing": ", ".join(missing)})
    return found


def breaches_of(cadre: Cadre, on: date | None = None) -> list[str]:
    """The rules one cadre breaks, under the policy governing the cadre's home area."""
    annotated = checked_cadres(Cadre.objects.filter(pk=cadre.pk), cadre.area, on).get()
    return breaches(annotated)
