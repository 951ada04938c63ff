"""Forms validate shapes; the services enforce the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from foundation.widgets import DateInput
from responsibility_areas.models import Level

from .models import CaseAction, QuestionnaireVersion, Subject

DATE = DateInput()


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    questionnaire = forms.ModelChoiceField(label=_("Questionnaire"), queryset=None)
    covers_cadres = forms.BooleanField(
        label=_("Grade the paired cadres"), required=False, initial=True
    )
    covers_leading_bodies = forms.BooleanField(
        label=_("Grade the leading bodies (village and township)"), required=False
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.filter(
            level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP]
        ).order_by("path")
        latest = {}
        for version in QuestionnaireVersion.objects.select_related("questionnaire").order_by(
            "questionnaire_id", "number"
        ):
            latest[version.questionnaire_id] = version.pk
        self.fields["questionnaire"].queryset = QuestionnaireVersion.objects.filter(
            pk__in=latest.values()
        ).select_related("questionnaire")


class ResolveForm(forms.Form):
    action = forms.ChoiceField(label=_("Action taken"), choices=CaseAction.choices)
    reason = forms.CharField(
        label=_("Reason / what was done"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionnaireForm(forms.Form):
    """Questions as lines: each line a single-choice question (满意 … 不满意); a line that
    starts with "?" or "？" is a free-text question."""

    name = forms.CharField(label=_("Name"), max_length=100)
    subject = forms.ChoiceField(label=_("About"), choices=Subject.choices)
    questions = forms.CharField(
        label=_("Questions, one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("A line starting with ? is answered in words; the others with 满意 … 不满意."),
    )

    def cleaned_questions(self) -> list[dict]:
        out = []
        for n, line in enumerate(
            (x.strip() for x in self.cleaned_data["questions"].splitlines() if x.strip()), start=1
        ):
            text = line.lstrip("?？").strip()
            kind = "text" if line[:1] in "?？" else "scale"
            out.append({"code": f"q{n}", "text": text, "kind": kind, "allow_unknown": True})
        return out
