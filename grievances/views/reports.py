"""Public reports waiting for their cadre: the list and the acknowledgement (受理)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.models import MatterKind

from .. import services
from ..models import PublicReport, ReportStatus


def reports_for(user):
    """Reports the user may see: received by their cadre, or in their scope."""
    own = getattr(user, "cadre", None)
    mine = Q(cadre=own) if own is not None else Q(pk__in=[])
    in_scope = PublicReport.objects.visible_to(user).values("pk")
    return PublicReport.objects.filter(mine | Q(pk__in=in_scope))


@login_required
def report_list(request):
    """Reports the user may see; ``waiting=true``: only those waiting for the user's cadre
    to take them into the ledger (the 待办 figure's rows)."""
    from ..selectors import reports_to_accept

    if request.GET.get("waiting") == "true":
        cadre = getattr(request.user, "cadre", None)
        reports = reports_to_accept(request.user, cadre) if cadre else reports_for(request.user)
        reports = reports.select_related("matter")[:200]
    else:
        reports = (
            reports_for(request.user)
            .select_related("household", "cadre", "matter")
            .order_by("status", "-created_at", "-id")[:200]
        )
    return render(
        request,
        "grievances/reports.html",
        {
            "reports": reports,
            "kinds": MatterKind.choices,
            "default_kind": MatterKind.DIFFICULTY,  # a household's report: a difficulty first
            "received": ReportStatus.RECEIVED,
        },
    )


@login_required
@require_POST
def report_accept(request, pk):
    report = get_object_or_404(reports_for(request.user), pk=pk)
    kind = request.POST.get("kind") or MatterKind.DIFFICULTY
    if kind not in MatterKind.values:
        kind = MatterKind.DIFFICULTY
    try:
        matter = services.accept_public_report(
            actor=request.user, report=report, kind=kind, topic=request.POST.get("topic", "")[:50]
        )
    except services.MatterError as exc:
        messages.error(request, exc.message)
        return redirect("grievances:reports")
    messages.success(
        request,
        _("Taken into the ledger as %(number)s; you own it from now on.")
        % {"number": matter.number},
    )
    return redirect(matter)
