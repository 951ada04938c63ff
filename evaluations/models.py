"""Satisfaction evaluation (满意度测评问责): questionnaires, campaigns, answers, accountability.

The people grade the cadres (DOMAIN.md §5). A campaign covers an area's subtree for a
period; households answer versioned questionnaires (on the QR page of their contact card,
on paper entered by a clerk, or as the feedback of a closed-out matter); results are rates
per cadre and per area's leading body; a subject whose dissatisfaction is over one third
(strictly) gets an accountability case. Every number is a rule per area level.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.fields import RedactedTextField
from liaison.models import Cadre, Household
from responsibility_areas.models import Area, AreaLocated, AreaLocatedQuerySet, Level
from responsibility_areas.scoping import ScopedQuerySet


class Scale(models.TextChoices):
    """The answer to a single-choice question; ``unknown`` counts in no rate."""

    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNKNOWN = "unknown", _("Don't know")


# Paper questionnaires are entered with digits: 1 满意, 2 基本满意, 3 不满意, 4 不了解.
SCALE_DIGITS = {
    "1": Scale.SATISFIED,
    "2": Scale.FAIRLY,
    "3": Scale.DISSATISFIED,
    "4": Scale.UNKNOWN,
}


class Subject(models.TextChoices):
    CADRE = "cadre", _("A paired cadre")
    LEADING_BODY = "leading_body", _("An area's leading body")
    MATTER = "matter", _("A closed-out matter")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Single choice (满意 … 不满意)")
    TEXT = "text", _("Free text")


class Questionnaire(models.Model):
    """A questionnaire's identity; its questions live in versions (answers keep theirs)."""

    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("about"), max_length=16, choices=Subject.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self):
        return self.name

    def current(self):
        return self.versions.order_by("-number").first()


class QuestionnaireVersion(models.Model):
    """The questions as they were asked: ``[{code, text, kind, allow_unknown}]``.

    Editing a questionnaire that has answers makes a new version, so old answers keep the
    meaning of the question they answered.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    questions = models.JSONField(_("questions"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire version")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="one_number_per_questionnaire"
            )
        ]

    def __str__(self):
        return f"{self.questionnaire.name} v{self.number}"

    @property
    def scale_questions(self) -> list[dict]:
        return [
            q for q in self.questions if q.get("kind", QuestionKind.SCALE) == QuestionKind.SCALE
        ]


class EvaluationRule(models.Model):
    """The numbers of DOMAIN.md §5 for campaigns rooted at one area level (editable)."""

    level = models.CharField(_("area level"), max_length=16, choices=Level.choices, unique=True)
    min_participants = models.PositiveIntegerField(_("at least participants"), default=100)
    min_grassroots_percent = models.PositiveSmallIntegerField(
        _("at least grassroots representatives (%)"), default=50
    )
    # Dissatisfaction strictly over numerator/denominator opens an accountability case.
    threshold_numerator = models.PositiveSmallIntegerField(_("threshold numerator"), default=1)
    threshold_denominator = models.PositiveSmallIntegerField(_("threshold denominator"), default=3)
    service_target_percent = models.PositiveSmallIntegerField(
        _("satisfaction target (%)"), default=90
    )

    class Meta:
        verbose_name = _("evaluation rule")
        verbose_name_plural = _("evaluation rules")

    def __str__(self):
        return self.get_level_display()


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Campaign(AreaLocated):
    """A satisfaction survey (测评活动) of ``area``'s subtree for a period."""

    name = models.CharField(_("name"), max_length=100)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("questionnaire"), on_delete=models.PROTECT
    )
    covers_cadres = models.BooleanField(_("evaluates paired cadres"), default=True)
    covers_leading_bodies = models.BooleanField(_("evaluates leading bodies"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Stored when the campaign closes (with its FrozenResult rows), read ever after.
    frozen_at = models.DateTimeField(_("results stored"), null=True, blank=True)
    frozen_participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    frozen_grassroots = models.PositiveIntegerField(
        _("grassroots representatives"), null=True, blank=True
    )

    objects = AreaLocatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    QR = "qr", _("The household's phone (QR code)")
    PAPER = "paper", _("Paper questionnaire")
    MATTER = "matter", _("Feedback on a closed-out matter")


class PaperBatch(models.Model):
    """One batch of paper questionnaires as a clerk entered it (all of its sheets or none)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="paper_batches")
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sheets = models.PositiveIntegerField(_("sheets"), default=0)
    created_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("paper batch")
        verbose_name_plural = _("paper batches")

    def __str__(self):
        return f"{self.campaign} · #{self.pk}"


class Response(AreaLocated):
    """One questionnaire answered by one participant about one subject.

    ``area`` is the participant's (the household's) place: scoping and the campaign's
    subtree go by it. ``cadre`` or ``subject_area`` is who is graded.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grassroots = models.BooleanField(_("grassroots representative"), default=True)
    cadre = models.ForeignKey(
        Cadre, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    subject_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paper_number = models.CharField(_("questionnaire number"), max_length=30, blank=True)
    batch = models.ForeignKey(
        PaperBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    created_at = models.DateTimeField(_("answered"), default=timezone.now)

    objects = AreaLocatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")
        constraints = [
            # One answer per household per campaign and subject from the QR page.
            models.UniqueConstraint(
                fields=["campaign", "household", "cadre"],
                condition=Q(channel="qr", cadre__isnull=False),
                name="one_qr_answer_per_household_cadre",
            ),
            models.UniqueConstraint(
                fields=["campaign", "household", "subject_area"],
                condition=Q(channel="qr", subject_area__isnull=False),
                name="one_qr_answer_per_household_body",
            ),
            # A paper sheet counts once per campaign, whichever batch brings it.
            models.UniqueConstraint(
                fields=["campaign", "paper_number"],
                condition=Q(channel="paper"),
                name="one_answer_per_paper_sheet",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "cadre"]),
            models.Index(fields=["campaign", "subject_area"]),
        ]

    def __str__(self):
        return f"{self.campaign} #{self.pk}"


class BallotCode(models.Model):
    """A household's ballot code for one campaign (测评码), issued by the inspection team.

    The contact card is no ballot: the cadre graded prints it. A code is made at random
    when the organisers print the village's slips, shown once on the slip handed to the
    household, and kept only as a keyed digest — nobody can read it back, and printing
    the slips again makes new codes and voids the old. The household types it on its phone;
    the code says which household answers (one answer per subject, replaced only by the
    same code), never which answer a household gave to anyone who reads the pages.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(_("code digest"), max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="one_ballot_code_per_household"
            )
        ]

    def __str__(self):
        return f"{self.campaign} #{self.pk}"


class ResponseAnswerQuerySet(ScopedQuerySet):
    # The answer's place is its response's: visible_to joins once (no IN subquery).
    scope_field = "response__area_path"


class ResponseAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(_("question"), max_length=20)
    value = models.CharField(_("answer"), max_length=12, choices=Scale.choices, blank=True)
    text = RedactedTextField(_("text"), blank=True)

    objects = ResponseAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.question}={self.value or self.text[:20]}"


class FrozenResult(AreaLocated):
    """A closed campaign's result for one subject, as it stood when the campaign closed:
    counts and rates, and for a cadre the 一测一考 exam, test, score and rank. Results
    pages, cases, exports, notices and the API read these; nothing recorded later (a late
    close-out feedback, a cadre imported today) changes them. ``area`` is the subject's
    place, so the leaders above it see it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="frozen")
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.PROTECT)
    subject_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    answers = models.PositiveIntegerField(_("answers"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    fairly = models.PositiveIntegerField(_("fairly satisfied"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"), default=0)
    respondents = models.PositiveIntegerField(_("respondents"), default=0)
    exam = models.FloatField(_("exam"), null=True, blank=True)
    test = models.FloatField(_("test"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    parts = models.JSONField(_("exam parts"), default=dict, blank=True)

    objects = AreaLocatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored result")
        verbose_name_plural = _("stored results")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "cadre"],
                condition=Q(cadre__isnull=False),
                name="one_frozen_result_per_cadre",
            ),
            models.UniqueConstraint(
                fields=["campaign", "subject_area"],
                condition=Q(subject_area__isnull=False),
                name="one_frozen_result_per_body",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.name}"


class CaseAction(models.TextChoices):
    TALK = "talk", _("Reminder talk (谈话提醒)")
    ADMONISH = "admonish", _("Admonishment (诫勉)")
    REASSIGN = "reassign", _("Post adjusted (调整岗位)")
    NONE = "none", _("Not held accountable (不予问责)")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class AccountabilityCase(AreaLocated):
    """A cadre or leading body whose dissatisfaction was over the threshold in a campaign.

    ``area`` is the subject's place (the cadre's home area, or the area led), so the
    leaders and supervisors above it see the case.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="cases")
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.PROTECT)
    subject_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.PositiveIntegerField(_("answers"))
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"))
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    action = models.CharField(_("action"), max_length=10, choices=CaseAction.choices, blank=True)
    reason = RedactedTextField(_("reason"), blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AreaLocatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "cadre"],
                condition=Q(cadre__isnull=False),
                name="one_case_per_campaign_cadre",
            ),
            models.UniqueConstraint(
                fields=["campaign", "subject_area"],
                condition=Q(subject_area__isnull=False),
                name="one_case_per_campaign_body",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.cadre or self.subject_area}"

    @property
    def rate(self) -> float:
        return self.dissatisfied / self.answers if self.answers else 0.0


class ScoreWeights(models.Model):
    """ "One test, one exam" (一测一考): how a cadre's yearly score is weighed (editable).

    score = exam × exam_percent% + test × (100 − exam_percent)%, where the test is the
    satisfaction rate and the exam the work record: each part done against its quota
    (capped at 100%), weighed by its points; a part with no quota for the cadre is left out
    and the others count for the whole exam.
    """

    level = models.CharField(_("area level"), max_length=16, choices=Level.choices, unique=True)
    exam_percent = models.PositiveSmallIntegerField(_("exam share (%)"), default=50)
    contacts_points = models.PositiveSmallIntegerField(_("contacts (points)"), default=25)
    visits_points = models.PositiveSmallIntegerField(_("visits (points)"), default=25)
    stay_points = models.PositiveSmallIntegerField(_("days lived in villages (points)"), default=15)
    matters_points = models.PositiveSmallIntegerField(
        _("matters resolved on time (points)"), default=25
    )
    commitments_points = models.PositiveSmallIntegerField(
        _("commitments fulfilled (points)"), default=10
    )

    class Meta:
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")

    def __str__(self):
        return self.get_level_display()


class Commendation(models.Model):
    """A cadre proposed for commendation from a campaign's ranking; a leader confirms the list."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="commendations")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "cadre"], name="one_commendation_per_cadre")
        ]

    def __str__(self):
        return f"{self.campaign} · {self.cadre}"
