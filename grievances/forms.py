"""Ledger forms and the list filter. Forms validate shapes; the services enforce the rules.

Every transition form carries the matter's ``version`` as a hidden field: the service
refuses a change made on a page that is no longer current ("changed by someone else").
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.filters import IdFilter
from foundation.periods import period_from
from foundation.widgets import DateInput
from liaison.models import Cadre, Household, MatterKind
from responsibility_areas.models import LEADER_ROLES, Area, Membership

from .indicators import FIGURES, figure_q
from .models import (
    FeedbackChannel,
    HandlingLevel,
    Matter,
    MatterSource,
    MatterStatus,
    Satisfaction,
)
from .models.ledger import DONE_STATUSES

DATE_WIDGET = DateInput()


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.post}" if obj.post else obj.name


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 3, 0)}{obj.name}"


# --- The list filter (pages and API) -------------------------------------------------------


class MatterFilter(django_filters.FilterSet):
    """Narrows a queryset already scoped with ``visible_to``; it never widens the scope."""

    status = django_filters.ChoiceFilter(choices=MatterStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=MatterKind.choices, label=_("Kind"))
    level = django_filters.ChoiceFilter(choices=HandlingLevel.choices, label=_("Handling level"))
    owner = IdFilter(field_name="owner_id", label=_("Owner (cadre id)"))
    handler = IdFilter(field_name="handler_id", label=_("Handler (cadre id)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Past the deadline"))
    area = IdFilter(
        method="filter_area", label=_("Area id: matters that arose in its whole subtree")
    )
    q = django_filters.CharFilter(
        method="filter_q", label=_("Number, applicant or words of the matter")
    )
    figure = django_filters.ChoiceFilter(
        choices=list(FIGURES.items()),
        method="filter_figure",
        label=_("The matters behind a dashboard figure (with period)"),
    )
    period = django_filters.CharFilter(
        method="filter_period",
        label=_("Period of the figure: month, last_month, year or YYYY-MM"),
    )
    topic = django_filters.CharFilter(field_name="topic", label=_("Topic"))
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", label=_("Open and due within three working days, or overdue")
    )
    awaiting = django_filters.ChoiceFilter(
        choices=[
            ("feedback", _("the household's feedback")),
            ("close_out", _("the leader's close-out")),
        ],
        method="filter_awaiting",
        label=_("Settled and waiting for"),
    )
    escalated_to_me = django_filters.BooleanFilter(
        method="filter_escalated_to_me", label=_("Escalated to an area I lead")
    )
    late = django_filters.BooleanFilter(
        method="filter_late",
        label=_("Past the deadline: still open after it, or settled after it"),
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=_("Still open, and I own or handle it")
    )

    class Meta:
        model = Matter
        fields = [
            "due_soon",
            "awaiting",
            "escalated_to_me",
            "mine",
            "late",
            "status",
            "kind",
            "level",
            "owner",
            "handler",
            "overdue",
            "area",
            "q",
            "figure",
            "period",
            "topic",
        ]

    def filter_figure(self, queryset, name, value):
        period = period_from(self.data.get("period"))
        return queryset.filter(figure_q(value, period.start, period.end, period.as_of))

    def filter_period(self, queryset, name, value):
        return queryset  # read by filter_figure

    def filter_overdue(self, queryset, name, value):
        overdue = Matter.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_area(self, queryset, name, value):
        # Resolved inside the caller's scope: an invisible area filters to nothing.
        area = Area.objects.visible_to(self.request.user).filter(pk=value).first()
        return queryset.subtree_of(area) if area else queryset.none()

    def filter_due_soon(self, queryset, name, value):
        from .selectors import due_soon_date

        if not value:
            return queryset
        return queryset.open().filter(deadline__lte=due_soon_date(timezone.localdate()))

    def filter_awaiting(self, queryset, name, value):
        settled = queryset.filter(status__in=DONE_STATUSES)
        if value == "feedback":
            return settled.filter(satisfaction="")
        return settled.exclude(satisfaction="")

    def filter_escalated_to_me(self, queryset, name, value):
        if not value:
            return queryset
        led = Membership.objects.active().filter(user=self.request.user, role__in=LEADER_ROLES)
        return queryset.open().filter(
            escalation_count__gt=0, handling_area__in=led.values("area_id")
        )

    def filter_late(self, queryset, name, value):
        late = Matter.objects.late(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        cadre = getattr(self.request.user, "cadre", None)
        if cadre is None:
            return queryset.none()
        return queryset.open().filter(Q(owner=cadre) | Q(handler=cadre))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__contains=value)
            | Q(applicant_name__contains=value)
            | Q(description__contains=value)
            | Q(topic__contains=value)
        )


# --- Filing -------------------------------------------------------------------------------


class FileMatterForm(forms.Form):
    applicant = forms.ModelChoiceField(
        label=_("Applicant household"),
        queryset=Household.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(
        label=_("Applicant (a named person)"),
        max_length=50,
        required=False,
        help_text=_("Leave empty when a household is chosen: its head is the applicant."),
    )
    area = AreaChoiceField(
        label=_("Where the matter arose"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Leave empty to use the household's area."),
    )
    owner = CadreChoiceField(
        label=_("Owner (the first visitor)"),
        queryset=Cadre.objects.none(),
        help_text=_("The cadre who first heard the matter; stays its owner until closed out."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MatterKind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=50, required=False)
    description = forms.CharField(
        label=_("Matter"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    source = forms.ChoiceField(label=_("Source"), choices=MatterSource.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)

    def __init__(self, *args, households, areas, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = households
        self.fields["area"].queryset = areas
        self.fields["owner"].queryset = cadres

    def clean(self):
        data = super().clean()
        if not data.get("applicant") and not (data.get("applicant_name") or "").strip():
            self.add_error("applicant_name", _("Choose a household or name the applicant."))
        if not data.get("applicant") and not data.get("area"):
            self.add_error("area", _("Say where the matter arose."))
        return data


# --- Transitions --------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """A form about one matter as the user saw it (``version``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _text(label, required=True, rows=2):
    return forms.CharField(
        label=label,
        required=required,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StartWorkForm(VersionedForm):
    note = _text(_("Note"), required=False, rows=1)


class ReportUpForm(VersionedForm):
    reason = _text(_("Why this level cannot solve it"))


class ResolveForm(VersionedForm):
    resolution = _text(_("How it was resolved"))


class ExplainForm(VersionedForm):
    explanation = _text(_("Explanation given to the household"), rows=3)


class FeedbackForm(VersionedForm):
    feedback = _text(_("Household feedback"))
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    channel = forms.ChoiceField(
        label=_("Collected by way of"),
        choices=FeedbackChannel.choices,
        initial=FeedbackChannel.RETURN_CALL,
        help_text=_("Never by the matter's owner or handler: they are graded by it."),
    )


class ReopenForm(VersionedForm):
    reason = _text(_("Why it is reopened"))


class ExtendDeadlineForm(VersionedForm):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE_WIDGET)
    reason = _text(_("Reason for the extension"))


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"])
