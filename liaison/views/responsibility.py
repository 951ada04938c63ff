"""Who answers for an area: the responsible leading cadre, contact person and reporter.

"One leader, one area": each duty has one holder at a time; a change ends the previous
term on the new one's start date, and every term stays in the history.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation.versioning import StaleEdit
from foundation.widgets import DateInput
from liaison import services
from liaison.forms.diaries import CadreChoiceField
from liaison.models import Cadre, Duty, ResponsibilityAssignment
from responsibility_areas.models import LEADER_ROLES, Role
from responsibility_areas.selectors import user_roles
from responsibility_areas.views import get_area_for

ASSIGNERS = {Role.CLERK, Role.ADMINISTRATOR, *LEADER_ROLES}


class AssignForm(forms.Form):
    duty = forms.ChoiceField(label=gettext_lazy("Duty"), choices=Duty.choices)
    cadre = CadreChoiceField(label=gettext_lazy("Cadre"), queryset=Cadre.objects.none())
    start_date = forms.DateField(
        label=gettext_lazy("From"),
        widget=DateInput(),
    )

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


def _may_assign(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & ASSIGNERS)


@login_required
def area_responsibility(request, pk):
    area = get_area_for(request.user, pk)
    terms = (
        ResponsibilityAssignment.objects.visible_to(request.user)
        .filter(area=area)
        .select_related("cadre")
        .order_by("duty", "-start_date", "-id")
    )
    current = {t.duty: t for t in terms if t.end_date is None}
    form = None
    if _may_assign(request.user):
        cadres = Cadre.objects.visible_to(request.user).order_by("name", "id")
        form = AssignForm(
            request.POST or None,
            cadres=cadres,
            initial={"start_date": timezone.localdate(), "duty": request.GET.get("duty")},
        )
        if request.method == "POST" and form.is_valid():
            seen = request.POST.get(f"seen_{form.cleaned_data['duty']}", "")
            try:
                term = services.assign_responsibility(
                    actor=request.user,
                    area=area,
                    replaces=int(seen) if seen.isdigit() else None,
                    **form.cleaned_data,
                )
            except StaleEdit as exc:
                holder = exc.current.cadre.name if exc.current else _("nobody")
                form.add_error(
                    None,
                    _("%(message)s Holder now: %(holder)s.")
                    % {"message": exc.message, "holder": holder},
                )
            except services.LiaisonError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(cadre)s is now %(duty)s of %(area)s.")
                    % {
                        "cadre": term.cadre.name,
                        "duty": term.get_duty_display(),
                        "area": area.name,
                    },
                )
                return redirect("area_responsibility", pk=area.pk)
    return render(
        request,
        "liaison/responsibility.html",
        {
            "area": area,
            "terms": terms,
            "form": form,
            "duties": [(value, label, current.get(value)) for value, label in Duty.choices],
        },
    )


@login_required
def areas_without_responsible(request, pk):
    """The townships, villages, communities and groups of an area's subtree with no
    responsible cadre today: the rows behind the board's figure, each with its page."""
    from django.core.paginator import Paginator

    from liaison.indicators import areas_without_responsible as missing

    area = get_area_for(request.user, pk)
    areas = missing(area, timezone.localdate()).order_by("path")
    page = Paginator(areas, 50).get_page(request.GET.get("page"))
    return render(request, "liaison/without_responsible.html", {"area": area, "page": page})
