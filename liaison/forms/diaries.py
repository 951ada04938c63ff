"""The visit-diary entry form: the clerk's main screen, typed from paper notebooks.

The form validates shapes only; ``services.record_visit`` enforces the rules and names
the field at fault. Households arrive as repeated ``households`` values (the chips of
the entry screen); matters as a formset whose household choices are the visited ones.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.widgets import DateInput
from liaison.models import SIX_QUESTIONS, Cadre, Household, MatterKind, VisitKind


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.post}"


class VisitForm(forms.Form):
    cadre = CadreChoiceField(label=_("Visiting cadre"), queryset=Cadre.objects.none())
    visited_on = forms.DateField(label=_("Date of visit"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=VisitKind.choices, initial=VisitKind.HOME
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    stay_days = forms.IntegerField(
        label=_("Days living in the village"), min_value=0, max_value=366, initial=0, required=False
    )
    households = forms.ModelMultipleChoiceField(
        label=_("Households visited"),
        queryset=Household.objects.none(),
        error_messages={"required": _("Choose at least one household.")},
        widget=forms.MultipleHiddenInput,
    )

    def __init__(self, *args, cadres, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["households"].queryset = households
        for name, label in SIX_QUESTIONS:
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean_visited_on(self):
        visited_on = self.cleaned_data["visited_on"]
        if visited_on > timezone.localdate():
            raise forms.ValidationError(
                _("The date of the visit cannot be in the future."), code="future_date"
            )
        return visited_on

    def clean_stay_days(self):
        return self.cleaned_data.get("stay_days") or 0

    def notes(self) -> dict:
        return {name: self.cleaned_data[name] for name, _label in SIX_QUESTIONS}

    def question_fields(self):
        return [self[name] for name, _label in SIX_QUESTIONS]


class MatterForm(forms.Form):
    household = forms.ModelChoiceField(
        label=_("Household"), queryset=Household.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MatterKind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=50, required=False)
    description = forms.CharField(
        label=_("Matter"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    solved_on_spot = forms.BooleanField(label=_("Solved on the spot"), required=False)
    resolution = forms.CharField(
        label=_("How it was solved"), widget=forms.Textarea(attrs={"rows": 1}), required=False
    )

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if households is not None:
            self.fields["household"].queryset = households

    def clean(self):
        data = super().clean()
        if data.get("solved_on_spot") and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("Say how a matter solved on the spot was solved."))
        return data


MatterFormSet = forms.formset_factory(MatterForm, extra=0, can_delete=True, max_num=30)
