from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.models import CommitmentStatus, Rank
from responsibility_areas.models import Area


class CadreForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Home area"), queryset=Area.objects.none())
    name = forms.CharField(label=_("Name"), max_length=50)
    rank = forms.ChoiceField(label=pgettext_lazy("cadre", "Rank"), choices=Rank.choices)
    unit = forms.CharField(label=_("Unit"), max_length=100)
    post = forms.CharField(label=_("Post"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    duties = forms.CharField(
        label=_("Duties (printed on the contact card)"), max_length=200, required=False
    )
    is_leading = forms.BooleanField(label=_("Leading cadre"), required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.filter(depth__lte=4)


class CommitmentForm(forms.Form):
    content = forms.CharField(label=_("New commitment"), max_length=200)


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices)
    note = forms.CharField(label=_("Progress note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
