from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LEVEL_RANK, Area


class MoveAreaForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        label=_("New parent area"),
        queryset=Area.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the listed areas.")},
    )

    def __init__(self, *args, area: Area, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        parent_ranks = [
            lvl for lvl, rank in LEVEL_RANK.items() if rank == LEVEL_RANK[area.level] - 1
        ]
        self.fields["new_parent"].queryset = candidates.filter(level__in=parent_ranks).exclude(
            path__startswith=area.path
        )
