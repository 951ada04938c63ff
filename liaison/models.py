from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from foundation.fields import RedactedCharField, RedactedTextField
from foundation.versioning import version_field
from responsibility_areas.models import AreaLocated, AreaLocatedQuerySet, ancestor_copy


class Rank(models.TextChoices):
    PROVINCE = "province", _("Provincial level")
    BUREAU = "bureau", _("Bureau level")
    COUNTY = "county", _("County level")
    TOWNSHIP = "township", _("Township level")
    VILLAGE = "village", _("Village cadre")


class Cadre(AreaLocated):
    """A cadre (干部); ``area`` is the home area (the unit's place in the tree)."""

    name = models.CharField(_("name"), max_length=50)
    rank = models.CharField(pgettext_lazy("cadre", "rank"), max_length=16, choices=Rank.choices)
    unit = models.CharField(_("unit"), max_length=100)
    post = models.CharField(_("post"), max_length=100)
    # A work number, printed on contact cards so that people know whom to call.
    phone = models.CharField(_("mobile phone"), max_length=11)
    duties = RedactedCharField(_("duties"), max_length=200, blank=True)
    is_leading = models.BooleanField(_("leading cadre"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        constraints = [models.UniqueConstraint(fields=["phone"], name="cadre_phone_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cadre_detail", args=[self.pk])


class HouseholdCategory(models.TextChoices):
    FIVE_GUARANTEE = "five_guarantee", _("Five-guarantee household")
    SUBSISTENCE = "subsistence", _("Subsistence-allowance household")
    POOR = "poor", _("Poor household")
    PETITIONING = "petitioning", _("Petitioning household")
    DISABLED = "disabled", _("Disabled member")
    MAJOR_ILLNESS = "major_illness", _("Major illness")
    LEFT_BEHIND = "left_behind", _("Left-behind children or elderly")
    ORPHAN = "orphan", _("Orphan")
    MILITARY = "military", _("Military family")
    DISASTER = "disaster", _("Hit by sudden disaster")
    BEREAVED = "bereaved", _("Death in the family")
    UNEMPLOYED = "unemployed", _("School dropout or unemployed")


# Categories are a bit set in one integer column: several at once, filterable in SQL.
CATEGORY_BITS = {value: 1 << i for i, value in enumerate(HouseholdCategory.values)}
MUST_VISIT = (
    HouseholdCategory.FIVE_GUARANTEE,
    HouseholdCategory.SUBSISTENCE,
    HouseholdCategory.POOR,
    HouseholdCategory.PETITIONING,
    HouseholdCategory.MAJOR_ILLNESS,
    HouseholdCategory.DISASTER,
    HouseholdCategory.BEREAVED,
    HouseholdCategory.UNEMPLOYED,
)


def category_mask(categories) -> int:
    mask = 0
    for category in categories:
        mask |= CATEGORY_BITS[category]
    return mask


MUST_VISIT_MASK = category_mask(MUST_VISIT)


class HouseholdQuerySet(AreaLocatedQuerySet):
    def with_any_category(self, mask: int):
        return self.annotate(_cat=F("categories").bitand(mask)).filter(_cat__gt=0)

    def must_visit(self):
        return self.with_any_category(MUST_VISIT_MASK)

    def search(self, text: str):
        """Name, pinyin initials, or the last digits of the ID number or phone."""
        text = text.strip()
        if text.isdigit() or text[-1:] in ("x", "X") and text[:-1].isdigit():
            tail = text.upper()[-4:]
            # Four digits match the stored last-4 exactly (an index lookup); fewer, a suffix.
            lookup = "exact" if len(tail) == 4 else "endswith"
            return self.filter(
                Q(**{f"id_last4__{lookup}": tail}) | Q(**{f"phone_last4__{lookup}": tail})
            )
        if text.isascii():
            return self.filter(name_initials__startswith=text.upper())
        return self.filter(head_name__contains=text)


class Household(AreaLocated):
    """A household (农户). ID number and phone are stored encrypted, never in clear."""

    head_name = models.CharField(_("head of household"), max_length=50)
    # Indexes for these look-up columns are declared in Meta: one each. ``db_index`` or
    # ``unique`` would add a second, LIKE index on PostgreSQL, paid on every import row.
    name_initials = models.CharField(_("pinyin initials"), max_length=20, editable=False)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_last4 = models.CharField(_("last 4 of ID number"), max_length=4, editable=False)
    # Masked forms are written with the ciphertext: lists never need to decrypt.
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True, editable=False)
    phone_encrypted = models.TextField(_("mobile phone (encrypted)"), blank=True, editable=False)
    phone_last4 = models.CharField(_("last 4 of phone"), max_length=4, blank=True, editable=False)
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    address = RedactedCharField(_("address"), max_length=200, blank=True)
    categories = models.PositiveIntegerField(_("categories"), default=0)
    party_member = models.BooleanField(_("party member household"), default=False)
    version = version_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        permissions = [("view_full_pii", _("Can see full ID numbers and phone numbers"))]
        indexes = [
            models.Index(fields=["county", "township"]),
            # County-scoped lists in id order (API cursor pages): one index range per page.
            models.Index(fields=["county", "id"], name="household_county_id"),
            models.Index(fields=["township", "id"], name="household_township_id"),
            models.Index(
                fields=["name_initials"],
                name="household_initials_like",
                opclasses=["varchar_pattern_ops"],
            ),  # prefix search
            models.Index(fields=["id_last4"], name="household_id_last4"),
            models.Index(fields=["phone_last4"], name="household_phone_last4"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="household_id_number_unique")
        ]

    def __str__(self):
        return self.head_name

    def get_absolute_url(self):
        return reverse("household_detail", args=[self.pk])

    @property
    def category_list(self) -> list[str]:
        return [c for c, bit in CATEGORY_BITS.items() if self.categories & bit]

    def category_labels(self) -> list[str]:
        return [HouseholdCategory(c).label for c in self.category_list]

    @property
    def is_must_visit(self) -> bool:
        return bool(self.categories & MUST_VISIT_MASK)


class PairingKind(models.TextChoices):
    TERRITORIAL = "territorial", _("Territorial")
    COUNTERPART = "counterpart", _("Counterpart contact")
    ORGANISATIONAL = "organisational", _("Organisational assignment")
    RELATIVES = "relatives", _("Relatives")


class TermQuerySet(AreaLocatedQuerySet):
    """Rows with a start and an end date (pairings, responsibility terms); history is kept."""

    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gt=on))


class Pairing(AreaLocated):
    """Cadre ↔ household (结对联户); ending one keeps it as history."""

    # Listed by scope in id order: (county, id) and (township, id) in Meta, no single ones.
    county = ancestor_copy(_("county"), db_index=False)
    township = ancestor_copy(_("township"), db_index=False)

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="pairings"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="pairings"
    )
    kind = models.CharField(_("pairing kind"), max_length=16, choices=PairingKind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "household"],
                condition=Q(end_date__isnull=True),
                name="one_open_pairing_per_cadre_household",
            )
        ]
        indexes = [
            models.Index(fields=["household", "end_date"]),
            models.Index(fields=["county", "id"], name="pairing_county_id"),
            models.Index(fields=["township", "id"], name="pairing_township_id"),
        ]

    def __str__(self):
        return f"{self.cadre} – {self.household}"


class Duty(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible leading cadre")
    CONTACT = "contact", _("Contact person")
    REPORTER = "reporter", _("Reporter of people's feelings")


class ResponsibilityAssignment(AreaLocated):
    """Who answers for an area ("one leader, one area"), with history."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="assignments"
    )
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility assignment")
        verbose_name_plural = _("responsibility assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "duty"],
                condition=Q(end_date__isnull=True),
                name="one_open_assignment_per_area_duty",
            )
        ]

    def __str__(self):
        return f"{self.area} · {self.get_duty_display()} · {self.cadre}"


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    SITTING = "sitting", _("Duty-day sitting visit")
    SYMPOSIUM = "symposium", _("Symposium")
    PHONE = "phone", _("Phone")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")


IN_PERSON_KINDS = (VisitKind.HOME, VisitKind.SITTING, VisitKind.SYMPOSIUM)

# The "six questions" of a home visit, as (field, label).
SIX_QUESTIONS = [
    ("q_basic", _("Basic situation (jobs, schooling, medical care, old-age care)")),
    ("q_difficulties", _("Difficulties")),
    ("q_wishes", _("Wishes to get rich")),
    ("q_cadre_evaluation", _("Evaluation of cadres")),
    ("q_suggestions", _("Suggestions on work")),
    ("q_development", _("Development ideas")),
]


class Visit(AreaLocated):
    """A visit diary entry (民情日记): who visited, whom, when, how, what was said."""

    # Listed newest first by scope: (county, id) and (township, id) in Meta, no single ones.
    county = ancestor_copy(_("county"), db_index=False)
    township = ancestor_copy(_("township"), db_index=False)

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("visiting cadre"), on_delete=models.PROTECT, related_name="visits"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("date of visit"), db_index=True)
    kind = models.CharField(_("kind of visit"), max_length=16, choices=VisitKind.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    stay_days = models.PositiveSmallIntegerField(_("days living in the village"), default=0)
    q_basic = RedactedTextField(SIX_QUESTIONS[0][1], blank=True)
    q_difficulties = RedactedTextField(SIX_QUESTIONS[1][1], blank=True)
    q_wishes = RedactedTextField(SIX_QUESTIONS[2][1], blank=True)
    q_cadre_evaluation = RedactedTextField(SIX_QUESTIONS[3][1], blank=True)
    q_suggestions = RedactedTextField(SIX_QUESTIONS[4][1], blank=True)
    q_development = RedactedTextField(SIX_QUESTIONS[5][1], blank=True)
    households = models.ManyToManyField(
        Household, verbose_name=_("households"), through="VisitHousehold", related_name="visits"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit diary entry")
        verbose_name_plural = _("visit diary")
        indexes = [
            # Covering on PostgreSQL: quota figures per cadre are an index-only scan.
            models.Index(
                fields=["cadre", "visited_on"],
                include=["kind", "stay_days"],
                name="visit_cadre_day_cover",
            ),
            models.Index(fields=["county", "visited_on"]),
            models.Index(fields=["county", "id"], name="visit_county_id"),
            models.Index(fields=["township", "id"], name="visit_township_id"),
            # Covering: a subtree's contacts of a month (dashboards) are an index-only scan.
            models.Index(
                fields=["area_path", "visited_on"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["kind", "stay_days"],
                name="visit_path_day_cover",
            ),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.cadre} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("visit_detail", args=[self.pk])


class VisitHousehold(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE)
    household = models.ForeignKey(Household, on_delete=models.PROTECT)
    # Copied from the visit so "last visit per household" is one index scan.
    visited_on = models.DateField(_("date of visit"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "household"], name="visit_household_once")
        ]
        indexes = [models.Index(fields=["household", "visited_on"])]

    def __str__(self):
        return f"{self.visited_on} {self.household_id}"


class MatterKind(models.TextChoices):
    CADRE_STYLE = "cadre_style", _("Cadre work style")
    DIFFICULTY = "difficulty", _("Practical difficulty")
    SHORTCOMING = "shortcoming", _("Shortcoming in work")
    SUGGESTION = "suggestion", _("Development suggestion")


class VisitMatter(models.Model):
    """A matter raised in a visit: solved on the spot (recorded, not ledgered) or to ledger.

    Matters to ledger wait here, owned by the visiting cadre (first-visitor
    responsibility), until the grievance ledger takes them over.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="matters")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        Cadre, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_visit_matters"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices)
    topic = models.CharField(_("topic"), max_length=50, blank=True)
    description = RedactedTextField(_("matter"))
    solved_on_spot = models.BooleanField(_("solved on the spot"), default=False)
    resolution = RedactedTextField(_("how it was solved"), blank=True)

    class Meta:
        verbose_name = _("matter raised")
        verbose_name_plural = _("matters raised")

    def __str__(self):
        return self.description[:40]


class QuotaBasis(models.TextChoices):
    AREA_LEVEL = "area_level", _("Level of the area in charge")
    RANK = "rank", _("Rank of the cadre")


class ContactQuota(models.Model):
    """A yearly minimum, by the level of the area a cadre is in charge of or by rank."""

    basis = models.CharField(_("applies by"), max_length=16, choices=QuotaBasis.choices)
    key = models.CharField(_("area level or rank"), max_length=16)
    min_contacts = models.PositiveSmallIntegerField(_("contacts per year"), default=0)
    min_visits = models.PositiveSmallIntegerField(_("visits into the area per year"), default=0)
    min_stay_days = models.PositiveSmallIntegerField(
        _("days living in the village per year"), default=0
    )
    # The rules name "leading cadres" at province, bureau and county rank (领导干部) and
    # every township cadre: a rank quota with this set binds leading cadres only.
    leading_only = models.BooleanField(_("leading cadres only"), default=False)

    class Meta:
        verbose_name = _("contact quota")
        verbose_name_plural = _("contact quotas")
        constraints = [models.UniqueConstraint(fields=["basis", "key"], name="one_quota_per_key")]

    def __str__(self):
        return f"{self.get_basis_display()} {self.key}"


class CommitmentStatus(models.TextChoices):
    PROMISED = "promised", _("Promised")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    NOT_FULFILLED = "not_fulfilled", _("Not fulfilled")


class Commitment(AreaLocated):
    """A practical thing a cadre publicly promised to do this year (承诺)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="commitments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    content = RedactedCharField(_("commitment"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PROMISED,
    )
    note = RedactedCharField(_("progress note"), max_length=200, blank=True)
    version = version_field()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return self.content


# Models kept in their own modules (one responsibility each), part of this app's models.
from .models_imports import ImportJob, ImportJobQuerySet, ImportKind, ImportStatus  # noqa: E402,F401
from .models_rollup import AreaMonth  # noqa: E402,F401
