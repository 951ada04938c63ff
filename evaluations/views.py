"""Campaign pages for leaders, clerks and supervisors: list, detail with validity, results
and accountability cases; paper questionnaires entered in batches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from foundation.idempotency import key_from, once
from foundation.replica import replica_reads
from liaison.models import Cadre, Household
from responsibility_areas.models import Area, Level, Role
from responsibility_areas.permissions import Action, may, may_at_the_root
from responsibility_areas.selectors import user_roles

from . import services
from .exports import results_workbook
from .forms import CampaignForm, QuestionnaireForm, ResolveForm
from .models import (
    Campaign,
    CampaignStatus,
    PaperBatch,
    Questionnaire,
    Scale,
)
from .scores import formula, scores, weights_for
from .selectors import campaign_validity, cases_for, results_by_cadre, results_by_leading_body

# Who may enter paper questionnaires (as typists; never about themselves, see the service).
ENTERERS = {Role.CLERK, Role.TOWNSHIP_LEADER, Role.COUNTY_LEADER, Role.SUPERVISOR}


def _may(user, roles) -> bool:
    return user.is_superuser or bool(user_roles(user) & roles)


def get_campaign_for(user, pk) -> Campaign:
    return get_object_or_404(
        Campaign.objects.visible_to(user).select_related("area", "questionnaire"), pk=pk
    )


@login_required
def campaign_list(request):
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("area", "questionnaire__questionnaire")
        .order_by("-period_end", "-id")
    )
    form = None
    if may(request.user, Action.EVALUATE):
        form = CampaignForm(request.POST or None, areas=Area.objects.visible_to(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                campaign = services.create_campaign(actor=request.user, **form.cleaned_data)
            except services.EvaluationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Campaign created; open it when the survey starts."))
                return redirect("evaluations:detail", pk=campaign.pk)
    rows = [{"campaign": c, "validity": campaign_validity(c)} for c in campaigns[:100]]
    return render(request, "evaluations/list.html", {"rows": rows, "form": form})


@login_required
def campaign_detail(request, pk):
    campaign = get_campaign_for(request.user, pk)
    validity = campaign_validity(campaign)
    results, bodies = _published(request, campaign)
    cases = (
        cases_for(request.user)
        .filter(campaign=campaign)
        .select_related("cadre", "subject_area", "resolved_by")
        .order_by("status", "-dissatisfied")
    )
    return render(
        request,
        "evaluations/detail.html",
        {
            "campaign": campaign,
            "validity": validity,
            "results": results,
            "bodies": bodies,
            "cases": cases,
            "may_manage": may(request.user, Action.EVALUATE, campaign.area),
            "may_approve": may(request.user, Action.APPROVE, campaign.area),
            "may_enter": _may(request.user, ENTERERS) and campaign.status == CampaignStatus.OPEN,
            "may_issue": may(request.user, Action.EVALUATE, campaign.area)
            and campaign.status != CampaignStatus.CLOSED,
            "resolve_form": ResolveForm(),
            "scores": scores(request.user, campaign)[:200],
            "commendations": campaign.commendations.select_related(
                "cadre", "confirmed_by"
            ).order_by("rank"),
            "overdue_owned": _overdue_owned(request.user, cases),
            "formula": formula(weights_for(campaign.area)),
        },
    )


def _overdue_owned(viewer, cases) -> dict:
    """Evidence for each case: the cadre's matters past their deadline (open, or settled
    late) — "matters delayed that could have been solved" (seed 000)."""
    from django.db.models import Count

    from grievances.models import Matter

    cadre_ids = [c.cadre_id for c in cases if c.cadre_id]
    rows = (
        Matter.objects.visible_to(viewer)
        .filter(owner_id__in=cadre_ids)
        .late(timezone.localdate())
        .values("owner")
        .order_by()
        .annotate(n=Count("id"))
    )
    return {r["owner"]: r["n"] for r in rows}


def _published(request, campaign):
    results = results_by_cadre(request.user, campaign)
    names = dict(
        Cadre.objects.filter(pk__in=[r.subject_id for r in results]).values_list("pk", "name")
    )
    bodies = results_by_leading_body(request.user, campaign)
    area_names = dict(
        Area.objects.filter(pk__in=[r.subject_id for r in bodies]).values_list("pk", "name")
    )
    return (
        [(names.get(r.subject_id, "–"), r) for r in results],
        [(area_names.get(r.subject_id, "–"), r) for r in bodies],
    )


@login_required
def campaign_notice(request, pk):
    """The result notice to post in the area (A4): rates and counts, cadre names; no
    household and nothing that identifies one."""
    campaign = get_campaign_for(request.user, pk)
    results, bodies = _published(request, campaign)
    return render(
        request,
        "evaluations/notice.html",
        {
            "campaign": campaign,
            "validity": campaign_validity(campaign),
            "results": sorted(results, key=lambda pair: -pair[1].satisfaction),
            "bodies": bodies,
        },
    )


@login_required
@replica_reads
def campaign_export(request, pk):
    """Results per cadre and leading body and the cases, as .xlsx (formulas escaped)."""
    campaign = get_campaign_for(request.user, pk)
    results, bodies = _published(request, campaign)
    cases = (
        cases_for(request.user).filter(campaign=campaign).select_related("cadre", "subject_area")
    )
    data = results_workbook(
        campaign,
        campaign_validity(campaign),
        results,
        bodies,
        cases,
        scores(request.user, campaign),
        formula(weights_for(campaign.area)),
    )
    services.record_results_export(actor=request.user, campaign=campaign)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{campaign.name}-测评结果.xlsx"
    )
    return response


@login_required
@require_POST
def campaign_step(request, pk, step):
    campaign = get_campaign_for(request.user, pk)
    if not may(request.user, Action.EVALUATE, campaign.area):
        raise PermissionDenied
    try:
        if step == "open":
            services.open_campaign(actor=request.user, campaign=campaign)
            messages.success(request, _("The campaign is open for answers."))
        else:
            cases = services.close_campaign(actor=request.user, campaign=campaign)
            messages.success(
                request,
                _("The campaign is closed; %(n)d accountability case(s) opened.")
                % {"n": len(cases)},
            )
    except services.EvaluationError as exc:
        messages.error(request, exc.message)
    return redirect("evaluations:detail", pk=campaign.pk)


@login_required
@require_POST
def commendations_confirm(request, pk):
    campaign = get_campaign_for(request.user, pk)
    if not may(request.user, Action.APPROVE, campaign.area):
        raise PermissionDenied
    top = request.POST.get("top", "100")
    try:
        rows = services.confirm_commendations(
            actor=request.user, campaign=campaign, top=int(top) if top.isdigit() else 100
        )
        messages.success(
            request, _("%(n)d cadre(s) on the confirmed commendation list.") % {"n": len(rows)}
        )
    except services.EvaluationError as exc:
        messages.error(request, exc.message)
    return redirect("evaluations:detail", pk=campaign.pk)


@login_required
@require_POST
def case_resolve(request, pk):
    case = get_object_or_404(cases_for(request.user), pk=pk)
    if not may(request.user, Action.APPROVE, case.area):
        raise PermissionDenied
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_case(actor=request.user, case=case, **form.cleaned_data)
            messages.success(request, _("The case is resolved and recorded."))
        except services.EvaluationError as exc:
            messages.error(request, exc.message)
    return redirect("evaluations:detail", pk=case.campaign_id)


def _surveyors(user, campaign) -> list:
    """Who may have conducted a paper survey: people with a role in the campaign's area
    that the clerk may see (and the clerk)."""
    from django.contrib.auth import get_user_model

    from responsibility_areas.models import Membership

    ids = (
        Membership.objects.active()
        .visible_to(user)
        .filter(area__path__startswith=campaign.area_path)
        .values("user")
    )
    people = (
        get_user_model()
        .objects.filter(Q(pk__in=ids) | Q(pk=user.pk))
        .order_by("last_name", "first_name", "username")
    )
    return list(people[:500])


ROWS_PER_BATCH = 20
# The "cadre graded" column may name a leading body instead: the household's own village
# (or community) committee, or its township's leading body.
BODY_CHOICES = {
    "village": [Level.VILLAGE, Level.COMMUNITY],
    "township": [Level.TOWNSHIP],
}


@login_required
def paper_entry(request, pk):
    """Paper questionnaires, one row each: household (by its list number), cadre, digits."""
    campaign = get_campaign_for(request.user, pk)
    if not _may(request.user, ENTERERS):
        raise PermissionDenied
    questions = campaign.questionnaire.questions
    surveyors = _surveyors(request.user, campaign)
    chosen = request.POST.get("surveyor") or str(request.user.pk)
    surveyor = next((u for u in surveyors if str(u.pk) == chosen), None)
    households = Household.objects.visible_to(request.user).subtree_of(campaign.area)
    cadres = Cadre.objects.visible_to(request.user).order_by("name")
    errors, typed = [], []
    if request.method == "POST":
        rows, typed = [], []
        for n in range(1, ROWS_PER_BATCH + 1):
            household_id = request.POST.get(f"r{n}-household", "").strip()
            cadre_id = request.POST.get(f"r{n}-cadre", "").strip()
            digits = {q["code"]: request.POST.get(f"r{n}-{q['code']}", "") for q in questions}
            typed.append(
                {
                    "n": n,
                    "household": household_id,
                    "cadre": cadre_id,
                    "digits": digits,
                    "grassroots": request.POST.get(f"r{n}-grassroots") == "1",
                    "number": request.POST.get(f"r{n}-number", ""),
                }
            )
            if not household_id and not cadre_id and not any(digits.values()):
                continue
            household = (
                households.filter(pk=household_id).first() if household_id.isdigit() else None
            )
            cadre = cadres.filter(pk=cadre_id).first() if cadre_id.isdigit() else None
            body = None
            if household is not None and cadre_id in BODY_CHOICES:
                body = household.area.nearest(BODY_CHOICES[cadre_id])
            if household is None or (cadre is None and body is None):
                errors.append(
                    (n, "", _("Choose a household in the campaign's area and the cadre it grades."))
                )
                continue
            rows.append(
                services.PaperRow(
                    household, cadre, digits, typed[-1]["grassroots"], typed[-1]["number"], body
                )
            )
        if surveyor is None:
            errors.append((0, "", _("Choose who conducted the survey.")))
        if not errors and rows:
            try:
                # The batch's submission token: sent twice (a double click, a resend after
                # a dropped connection), it is entered once.
                outcome = once(
                    user=request.user,
                    key=key_from(request),
                    scope="evaluation.paper_batch",
                    model=PaperBatch,
                    create=lambda: services.record_paper_batch(
                        actor=request.user, campaign=campaign, surveyor=surveyor, rows=rows
                    ),
                )
            except services.EvaluationError as exc:
                errors = exc.errors or [(0, "", exc.message)]
            else:
                batch = outcome.obj
                if outcome.created:
                    messages.success(
                        request,
                        _("Batch %(batch)d: %(n)d questionnaire(s) saved.")
                        % {"batch": batch.pk, "n": batch.sheets},
                    )
                else:
                    messages.info(
                        request,
                        _("This batch was already saved (batch %(batch)s); it counts once.")
                        % {"batch": getattr(batch, "pk", "—")},
                    )
                return redirect("evaluations:paper", pk=campaign.pk)
        elif not rows and not errors:
            errors = [(0, "", _("Type at least one questionnaire."))]
    if not typed:
        typed = [
            {"n": n, "household": "", "cadre": "", "digits": {}, "grassroots": True, "number": ""}
            for n in range(1, ROWS_PER_BATCH + 1)
        ]
    return render(
        request,
        "evaluations/paper.html",
        {
            "campaign": campaign,
            "questions": questions,
            "rows": typed,
            "errors": errors,
            "households": households.select_related("area").order_by("area_path", "head_name")[
                :2000
            ],
            "cadres": cadres,
            "bodies": campaign.covers_leading_bodies,
            "surveyors": surveyors,
            "surveyor": chosen,
            "digits": [
                ("1", Scale.SATISFIED.label),
                ("2", Scale.FAIRLY.label),
                ("3", Scale.DISSATISFIED.label),
                ("4", Scale.UNKNOWN.label),
            ],
        },
    )


@login_required
def questionnaires(request, pk=None):
    """Questionnaires: create one, or edit one (a questionnaire already used by a campaign
    gets a new version; the answers given keep the questions they answered). They serve
    every campaign of the tree: only those who run evaluations at its root edit them."""
    if not may_at_the_root(request.user, Action.EVALUATE):
        raise PermissionDenied
    questionnaire = get_object_or_404(Questionnaire, pk=pk) if pk else None
    current = questionnaire.current() if questionnaire else None
    initial = {}
    if current:
        initial = {
            "name": questionnaire.name,
            "subject": questionnaire.subject,
            "questions": "\n".join(
                ("? " if q["kind"] == "text" else "") + q["text"] for q in current.questions
            ),
        }
    form = QuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if questionnaire is None:
                version = services.create_questionnaire(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    subject=form.cleaned_data["subject"],
                    questions=form.cleaned_questions(),
                )
            else:
                version = services.edit_questionnaire(
                    actor=request.user,
                    questionnaire=questionnaire,
                    questions=form.cleaned_questions(),
                )
        except services.EvaluationError as exc:
            form.add_error("questions", exc.message)
        else:
            messages.success(
                request,
                _("Questionnaire saved (version %(n)d).") % {"n": version.number},
            )
            return redirect("evaluations:questionnaire", pk=version.questionnaire_id)
    return render(
        request,
        "evaluations/questionnaire.html",
        {
            "form": form,
            "questionnaire": questionnaire,
            "current": current,
            "all": Questionnaire.objects.order_by("name"),
        },
    )
