"""A county's deadlines (办结时限): what each level has for each kind of matter arising in
the county — the default, or the county's own rule, which its leaders set here."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from liaison.models import MatterKind
from responsibility_areas.models import Area, Level
from responsibility_areas.permissions import Action, may
from responsibility_areas.selectors import current_area

from .. import services
from ..deadlines import rule_for, unknown_years
from ..models import DeadlineRule, HandlingLevel

LEVELS = [(v, label) for v, label in HandlingLevel.choices if v != HandlingLevel.ABOVE]


class RuleForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Handling level"), choices=LEVELS)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("Every kind without its own rule")), *MatterKind.choices],
        required=False,
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        min_value=1,
        max_value=365,
        required=False,
        help_text=gettext_lazy("Leave empty to go back to the default."),
    )
    working_days = forms.BooleanField(label=gettext_lazy("Working days"), required=False)


def _county(request) -> Area:
    area = current_area(request)
    county = area.nearest([Level.COUNTY]) if area is not None else None
    if county is None:
        raise Http404
    return county


@login_required
def county_deadlines(request):
    county = _county(request)
    may_set = may(request.user, Action.APPROVE, county)
    form = RuleForm(request.POST or None, label_suffix=pgettext("after a label", ": "))
    if request.method == "POST" and may_set and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_deadline_rule(
                actor=request.user,
                county=county,
                level=data["level"],
                kind=data["kind"],
                days=data["days"],
                working_days=data["working_days"],
            )
        except services.MatterError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Deadline saved; it applies to matters filed from now on."))
            return redirect("grievances:deadlines")
    own = {(r.level, r.kind) for r in DeadlineRule.objects.filter(county=county)}
    rows = [
        {
            "level": label,
            "cells": [
                {
                    "rule": rule_for(level, kind, county.pk),
                    "own": (level, kind) in own or (level, "") in own,
                }
                for kind, _label in MatterKind.choices
            ],
        }
        for level, label in LEVELS
    ]
    return render(
        request,
        "grievances/deadlines.html",
        {
            "county": county,
            "kinds": MatterKind.choices,
            "rows": rows,
            "form": form if may_set else None,
            "calendar_missing": unknown_years(),
        },
        status=400 if form.errors else 200,
    )
