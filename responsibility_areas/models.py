from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from foundation.prepared import Prepared

from .scoping import ScopedQuerySet, today

__all__ = [
    "Area",
    "AreaLocated",
    "Level",
    "Membership",
    "PairingPolicy",
    "Role",
    "ScopedQuerySet",
]


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City / prefecture")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township / town / subdistrict")
    DEPARTMENT = "department", _("County department")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    GROUP = "group", _("Village group")


# How far down the tree a level sits; a child must sit strictly lower than its parent.
LEVEL_RANK = {
    Level.PROVINCE: 0,
    Level.CITY: 1,
    Level.COUNTY: 2,
    Level.TOWNSHIP: 3,
    Level.DEPARTMENT: 3,
    Level.VILLAGE: 4,
    Level.COMMUNITY: 4,
    Level.GROUP: 5,
}
# Levels whose subtree shares one township id on denormalised rows.
TOWNSHIP_LEVELS = (Level.TOWNSHIP, Level.DEPARTMENT)


def common_path(paths) -> str:
    """The path of the lowest area enclosing every path given ("" for none)."""
    paths = list(paths)
    if not paths:
        return ""
    low, high = min(paths), max(paths)
    i = 0
    while i < min(len(low), len(high)) and low[i] == high[i]:
        i += 1
    return low[: i - i % Area.steplen]


class AreaQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    scope_field = "path"


class AreaManager(MP_NodeManager):
    def get_queryset(self):
        return AreaQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def subtree_of(self, area):
        return self.get_queryset().subtree_of(area)


class Area(MP_Node):
    """A responsibility area (民情责任区): one node of the province > ... > group tree."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    division_code = models.CharField(
        _("division code"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("Official 12-digit statistical division code, where the area has one."),
    )

    objects = AreaManager()

    node_order_by = None

    class Meta:
        verbose_name = _("responsibility area")
        verbose_name_plural = _("responsibility areas")
        indexes = [models.Index(fields=["level", "depth"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("responsibility_areas:detail", args=[self.pk])

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]

    def ancestor_paths(self) -> list[str]:
        """Paths of the ancestors, root first (derived from the path itself)."""
        step = self.steplen
        return [self.path[:i] for i in range(step, len(self.path), step)]

    def nearest(self, levels) -> "Area | None":
        """This area or its nearest ancestor whose level is in ``levels``."""
        if self.level in levels:
            return self
        for ancestor in self._ancestors_nearest_first():
            if ancestor.level in levels:
                return ancestor
        return None

    def _ancestors_nearest_first(self) -> list["Area"]:
        """The ancestors, read once per instance and path (a filing asks for its county,
        township and handling tier: one query, not four)."""
        cached = self.__dict__.get("_ancestors")
        if cached is None or cached[0] != self.path:
            rows = AREAS_AT(paths=self.ancestor_paths())
            cached = self.__dict__["_ancestors"] = (self.path, rows)
        return cached[1]


def _areas_at(paths):
    return Area.objects.filter(path__in=paths).order_by("-depth")


AREAS_AT = Prepared(_areas_at)  # an area's ancestors, nearest first: asked by every filing


class AreaLocatedQuerySet(ScopedQuerySet):
    scope_field = "area_path"

    def listed_for(self, user):
        """``visible_to(user)`` as a list in id order reads it: for a scope of whole counties
        (or townships), ``county_id IN`` (``township_id IN``) — the same rows as the path
        prefixes — so the ``(county, id)`` index gives a page without sorting the scope."""
        from .selectors import scope_as_ids

        exact = scope_as_ids(user)
        if exact is None:
            return self.visible_to(user)
        return self.in_scope_ids(*exact)

    def in_scope_ids(self, level: str, ids):
        """The rows of ``scope_as_ids``'s answer: ``("county", ids)`` or ``("township", ids)``."""
        return self.filter(**{f"{level}_id__in": ids})


def ancestor_copy(verbose_name, db_index: bool = True) -> models.ForeignKey:
    """A copied ancestor of the row's area (county, township). A table that declares its
    own composite indexes on it passes ``db_index=False``: a list read newest first by scope
    (``(county, id)``, ``(township, id)``: the same look-ups, and a page in id order that
    stops after its rows), or the ledger, whose every index costs on each escalation."""
    return models.ForeignKey(
        Area,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_constraint=False,
        db_index=db_index,
    )


class AreaLocated(models.Model):
    """Abstract base for big tables: the area path and county/township ids denormalised.

    A subtree filter is then one prefix scan on ``area_path`` and a per-county or
    per-township GROUP BY needs no join. ``responsibility_areas.services.move_area``
    keeps these columns right on every concrete subclass.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    # Copies of the area's ancestors, kept by ``place_in`` and ``move_area``: no database
    # constraint of their own (``area`` holds the row to the tree and PROTECTs it), which
    # spares two foreign-key checks per row on every bulk write (imports, seeding).
    county = ancestor_copy(_("county"))
    township = ancestor_copy(_("township"))

    objects = AreaLocatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def place_in(self, area: Area) -> None:
        """Set the area and its denormalised columns (services call this before saving)."""
        self.area = area
        self.area_path = area.path
        county = area.nearest([Level.COUNTY])
        township = area.nearest(TOWNSHIP_LEVELS)
        self.county = county  # objects, not ids: full_clean need not look them up again
        self.township = township


def located_models() -> list[type["AreaLocated"]]:
    """Every concrete model that carries a denormalised area path."""
    return [m for m in apps.get_models() if issubclass(m, AreaLocated)]


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    CADRE = "cadre", _("Cadre")
    TOWNSHIP_LEADER = "township_leader", _("Township leader")
    COUNTY_LEADER = "county_leader", _("County leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


LEADER_ROLES = (Role.TOWNSHIP_LEADER, Role.COUNTY_LEADER)


class MembershipQuerySet(ScopedQuerySet):
    scope_field = "area__path"

    def active(self, on=None):
        on = on or today()
        # end_date is the day the role ended: from that day on it grants nothing.
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gt=on))


class Membership(models.Model):
    """A user's role in an area; it grants sight of the area's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start_date = models.DateField(_("start date"), default=today)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area", "role"],
                condition=Q(end_date__isnull=True),
                name="one_open_membership_per_role",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class PairingPolicyQuerySet(ScopedQuerySet):
    scope_field = "area__path"

    def governing(self, area: Area) -> "PairingPolicy":
        """The policy of ``area`` or of its nearest ancestor that has one, else the default."""
        found = (
            self.filter(area__path__in=area.ancestor_paths() + [area.path])
            .order_by("-area__depth")
            .first()
        )
        return found or PairingPolicy()

    def bearing_on(self, area: Area):
        """Policies that may govern some area of ``area``'s subtree (ancestors and below)."""
        return self.filter(
            Q(area__path__in=area.ancestor_paths()) | Q(area__path__startswith=area.path)
        ).select_related("area")


class PairingPolicy(models.Model):
    """Which pairing rules an area asks for (DOMAIN.md §2); the nearest ancestor's applies.

    Without any policy up the tree, the default is the common rule: no "123" pattern,
    at least one poor household per cadre.
    """

    area = models.OneToOneField(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="pairing_policy"
    )
    require_123 = models.BooleanField(
        _('require the "123" pattern'),
        default=False,
        help_text=_(
            "Each cadre pairs with at least 2 party-member and 3 ordinary households, "
            "one of each in hardship."
        ),
    )
    min_poor_per_cadre = models.PositiveSmallIntegerField(
        _("poor households per cadre, at least"),
        default=1,
        validators=[MaxValueValidator(10)],
    )

    objects = PairingPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing policy")
        verbose_name_plural = _("pairing policies")

    def __str__(self):
        return str(self.area) if self.area_id else str(_("Default pairing policy"))
