"""Forms validate shapes; services enforce the rules (and name the field at fault)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from foundation.identity import check_id_number, check_mobile
from liaison.models import Cadre, HouseholdCategory, PairingKind
from responsibility_areas.models import Area, Level

HOUSEHOLD_LEVELS = [Level.VILLAGE, Level.COMMUNITY, Level.GROUP]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 4, 0)}{obj.name}"


class HouseholdForm(forms.Form):
    area = AreaChoiceField(label=_("Village / community / group"), queryset=Area.objects.none())
    head_name = forms.CharField(label=_("Head of household"), max_length=50)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    members = forms.IntegerField(label=_("Members"), min_value=1, max_value=30, initial=1)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=HouseholdCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    party_member = forms.BooleanField(label=_("Party member household"), required=False)
    clear_phone = forms.BooleanField(label=_("Remove the stored phone number"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, areas, editing=None, **kwargs):
        """``editing``: the household being edited (its ID number is not edited here; its
        phone is shown masked and kept unless a new one is typed or removal is ticked)."""
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.filter(level__in=HOUSEHOLD_LEVELS)
        self.editing = editing
        if editing:
            del self.fields["id_number"]  # the ID number identifies the household
            phone = self.fields["phone"]
            if editing.phone_masked:
                phone.help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                    "masked": editing.phone_masked
                }
                phone.widget.attrs["placeholder"] = editing.phone_masked
            else:
                del self.fields["clear_phone"]
        else:
            del self.fields["clear_phone"]
            del self.fields["version"]

    def phone_to_save(self):
        """None keeps the stored phone; "" removes it (on purpose only); else the new number."""
        data = self.cleaned_data
        if self.editing is None:
            return data["phone"]
        if data.get("clear_phone"):
            return ""
        return data["phone"] or None

    def clean_id_number(self):
        checked = check_id_number(self.cleaned_data["id_number"])
        if not checked.ok:
            raise forms.ValidationError(checked.error, code="bad_id_number")
        self.warnings = getattr(self, "warnings", []) + checked.warnings
        return checked.value

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        if not raw.strip():
            return ""
        checked = check_mobile(raw)
        if not checked.ok:
            raise forms.ValidationError(checked.error, code="bad_phone")
        self.warnings = getattr(self, "warnings", []) + checked.warnings
        return checked.value


class PairForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=Cadre.objects.none())
    kind = forms.ChoiceField(label=_("Pairing kind"), choices=PairingKind.choices)

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
