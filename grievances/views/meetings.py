"""Pages for joint meetings (民情联席会议) and supervision notices (督办通知).

Thin views: access helper (404 outside the scope) → form → service → redirect.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from foundation.widgets import DateInput
from foundation.xlsx import export_list
from liaison.models import Cadre
from responsibility_areas.models import Area, Level
from responsibility_areas.scoping import paths_q, scope_paths
from responsibility_areas.selectors import user_roles

from .. import services
from ..models import OPEN_STATUSES, JointMeeting, Matter, SupervisionNotice
from ..services import meetings as meeting_services

DATE = DateInput()


# --- Forms -------------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    area = forms.ModelChoiceField(
        label=gettext_lazy("Township or county"), queryset=Area.objects.none()
    )
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DATE)
    chair = forms.CharField(label=gettext_lazy("Chaired by"), max_length=100)
    attendees = forms.CharField(
        label=gettext_lazy("Attendees"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.filter(level__in=[Level.TOWNSHIP, Level.COUNTY])


class DecisionForm(forms.Form):
    matter = forms.CharField(label=gettext_lazy("Matter number"), max_length=24)
    decision = forms.CharField(
        label=gettext_lazy("Decision"), widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_cadre = forms.ModelChoiceField(
        label=gettext_lazy("Responsible leader"), queryset=Cadre.objects.none(), required=False
    )
    people = forms.CharField(label=gettext_lazy("People"), max_length=500, required=False)
    plan = forms.CharField(label=gettext_lazy("Plan"), widget=forms.Textarea(attrs={"rows": 2}))
    time_limit = forms.DateField(label=gettext_lazy("Time limit"), widget=DATE)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["lead_cadre"].queryset = Cadre.objects.subtree_of(meeting.area).order_by("name")

    def clean_matter(self):
        number = self.cleaned_data["matter"].strip()
        matter = Matter.objects.subtree_of(self.meeting.area).filter(number=number).first()
        if matter is None:
            matter = Matter.objects.filter(
                number=number, handling_path__startswith=self.meeting.area_path
            ).first()
        if matter is None:
            raise forms.ValidationError(_("No matter with this number in the meeting's area."))
        return matter


class NoticeForm(forms.Form):
    matter = forms.CharField(label=gettext_lazy("Matter number"), max_length=24, required=False)
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("Recipient"),
        queryset=Cadre.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for a notice about a matter: it goes to its handler."),
    )
    text = forms.CharField(label=gettext_lazy("Notice"), widget=forms.Textarea(attrs={"rows": 4}))
    respond_by = forms.DateField(label=gettext_lazy("Respond by"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["recipient"].queryset = Cadre.objects.visible_to(user).order_by(
            "area_path", "name"
        )

    def clean_matter(self):
        number = self.cleaned_data["matter"].strip()
        if not number:
            return None
        matter = Matter.objects.visible_to(self.user).filter(number=number).first()
        if matter is None:
            raise forms.ValidationError(_("No matter with this number in your area."))
        return matter


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("Response"), widget=forms.Textarea(attrs={"rows": 4})
    )


def _form_error(form, exc) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- Joint meetings --------------------------------------------------------------------------


def get_meeting_for(user, pk) -> JointMeeting:
    """The access helper: a meeting of the user's scope, or 404."""
    return get_object_or_404(JointMeeting.objects.visible_to(user).select_related("area"), pk=pk)


def _meeting_areas(user):
    """Townships and counties the user answers for: inside the scope, or the county above it."""
    paths = scope_paths(user)
    return Area.objects.filter(paths_q("path", paths)).order_by("path")


EXPORT_LIMIT = 100_000


def _dates(request):
    return parse_date(request.GET.get("since") or ""), parse_date(request.GET.get("until") or "")


def filtered_meetings(request):
    meetings = JointMeeting.objects.visible_to(request.user).select_related("area")
    area_id = request.GET.get("area")
    if area_id and area_id.isdigit():
        meetings = meetings.filter(area_id=int(area_id))
    since, until = _dates(request)
    if since:
        meetings = meetings.filter(held_on__gte=since)
    if until:
        meetings = meetings.filter(held_on__lte=until)
    return meetings


@login_required
def meeting_export(request):
    """The meetings the filter shows, as .xlsx (audited)."""
    meetings = filtered_meetings(request).order_by("-held_on", "-id")[:EXPORT_LIMIT]
    headers = [_("Held on"), _("Area"), _("Level"), _("Chaired by"), _("Recorded at")]
    rows = (
        [m.held_on, m.area.name, m.get_level_display(), m.chair, m.created_at] for m in meetings
    )
    return export_list(
        request, what="meetings", title=_("Joint meetings"), headers=headers, rows=rows
    )


@login_required
def meeting_list(request):
    """Meetings in the user's subtree and the schedule: which township or county is due."""
    today = timezone.localdate()
    schedule = JointMeeting.objects.schedule(_meeting_areas(request.user), today).order_by("path")
    meetings = filtered_meetings(request)
    page = Paginator(meetings.order_by("-held_on", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "grievances/meetings/list.html",
        {
            "schedule": schedule,
            "due": [a for a in schedule if a.is_due],
            "page": page,
            "today": today,
        },
    )


@login_required
def meeting_due_list(request):
    """The townships and counties of an area's subtree whose joint meeting is due: the rows
    behind every "joint meetings due" figure (board, 待办, home), from the same selector."""
    from responsibility_areas.selectors import current_area

    from ..indicators import meetings_due

    today = timezone.localdate()
    area_id = request.GET.get("area", "")
    area = (
        Area.objects.visible_to(request.user).filter(pk=area_id).first()
        if area_id.isdigit()
        else current_area(request)
    )
    if area is None:
        raise Http404
    due = meetings_due(request.user, area, today).order_by("path")
    page = Paginator(due, 50).get_page(request.GET.get("page"))
    return render(
        request, "grievances/meetings/due.html", {"area": area, "page": page, "today": today}
    )


@login_required
def meeting_new(request):
    form = MeetingForm(
        request.POST or None,
        areas=_meeting_areas(request.user),
        initial={"held_on": timezone.localdate(), "area": request.GET.get("area")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_services.record_joint_meeting(actor=request.user, **form.cleaned_data)
        except services.MatterError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Joint meeting recorded."))
            return redirect(meeting)
    return render(request, "grievances/meetings/form.html", {"form": form})


@login_required
def meeting_detail(request, pk):
    meeting = get_meeting_for(request.user, pk)
    form = DecisionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.decide_matter(actor=request.user, meeting=meeting, **form.cleaned_data)
        except services.MatterError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Decision recorded; the matter's handler and deadline were updated.")
            )
            return redirect(meeting)
    decisions = meeting.decisions.select_related("matter", "lead_cadre")
    open_matters = (
        Matter.objects.visible_to(request.user)
        .filter(status__in=OPEN_STATUSES)
        .filter(
            Q(area_path__startswith=meeting.area_path)
            | Q(handling_path__startswith=meeting.area_path)
        )
        .select_related("owner")
        .order_by("deadline", "id")[:50]
    )
    return render(
        request,
        "grievances/meetings/detail.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "form": form,
            "open_matters": open_matters,
            "attendee_cadres": meeting.attendee_cadres.all(),
        },
    )


# --- Supervision notices ---------------------------------------------------------------------


def get_notice_for(user, pk) -> SupervisionNotice:
    """The access helper: a notice in the user's scope, or addressed to the user's cadre; else 404."""
    mine = Q(recipient__user=user) | Q(issued_by=user)
    notices = SupervisionNotice.objects.filter(paths_q("area_path", scope_paths(user)) | mine)
    return get_object_or_404(notices.select_related("matter", "recipient"), pk=pk)


def filtered_notices(request):
    """(notices, box, is_supervisor) as the list's box, overdue and date filters narrow them."""
    today = timezone.localdate()
    cadre = getattr(request.user, "cadre", None)
    is_supervisor = request.user.is_superuser or "supervisor" in user_roles(request.user)
    box = request.GET.get("box") or ("issued" if is_supervisor else "received")
    if box == "issued":
        notices = SupervisionNotice.objects.visible_to(request.user)
        if not request.user.is_superuser:
            notices = notices.issued_by(request.user)
    else:
        box = "received"
        notices = (
            SupervisionNotice.objects.received_by(cadre)
            if cadre
            else SupervisionNotice.objects.none()
        )
    if request.GET.get("overdue"):
        notices = notices.overdue(today)
    if request.GET.get("open"):  # not answered yet: what 待办 counts
        notices = notices.unanswered()
    since, until = _dates(request)
    if since:
        notices = notices.filter(issued_at__date__gte=since)
    if until:
        notices = notices.filter(issued_at__date__lte=until)
    return notices, box, is_supervisor


@login_required
def notice_export(request):
    """The notices the filter shows, as .xlsx (audited)."""
    notices, _box, _is_supervisor = filtered_notices(request)
    notices = notices.select_related("matter", "recipient").order_by("-issued_at", "-id")
    headers = [
        _("Issued at"),
        _("Issued by"),
        _("Recipient"),
        _("Matter"),
        _("Notice"),
        _("Respond by"),
        _("Status"),
        _("Responded at"),
    ]
    rows = (
        [
            n.issued_at,
            n.issuer_name,
            n.recipient.name,
            n.matter.number if n.matter_id else "",
            n.text,
            n.respond_by,
            n.get_status_display(),
            n.responded_at or "",
        ]
        for n in notices[:EXPORT_LIMIT]
    )
    return export_list(
        request, what="notices", title=_("Supervision notices"), headers=headers, rows=rows
    )


@login_required
def notice_list(request):
    """Received notices (the user's cadre) and, for supervisors, the notices they issued."""
    today = timezone.localdate()
    notices, box, is_supervisor = filtered_notices(request)
    page = Paginator(
        notices.select_related("matter", "recipient").order_by("-issued_at", "-id"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "grievances/meetings/notices.html",
        {
            "page": page,
            "box": box,
            "today": today,
            "is_supervisor": is_supervisor,
            "overdue_count": notices.overdue(today).count()
            if not request.GET.get("overdue")
            else None,
        },
    )


@login_required
def notice_new(request):
    form = NoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            notice = meeting_services.issue_supervision_notice(
                actor=request.user, **form.cleaned_data
            )
        except services.MatterError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Supervision notice issued."))
            return redirect(notice)
    return render(request, "grievances/meetings/notice_form.html", {"form": form})


@login_required
def notice_detail(request, pk):
    notice = get_notice_for(request.user, pk)
    cadre = getattr(request.user, "cadre", None)
    return render(
        request,
        "grievances/meetings/notice_detail.html",
        {
            "notice": notice,
            "form": ResponseForm(),
            "is_recipient": cadre is not None and cadre.pk == notice.recipient_id,
            "overdue": notice.is_overdue(timezone.localdate()),
        },
    )


@login_required
@require_POST
def notice_acknowledge(request, pk):
    notice = get_notice_for(request.user, pk)
    try:
        meeting_services.acknowledge_notice(actor=request.user, notice=notice)
    except services.MatterError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Receipt acknowledged."))
    return redirect(notice)


@login_required
@require_POST
def notice_respond(request, pk):
    notice = get_notice_for(request.user, pk)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            meeting_services.respond_to_notice(
                actor=request.user, notice=notice, **form.cleaned_data
            )
        except services.MatterError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Response sent."))
            return redirect(notice)
    cadre = getattr(request.user, "cadre", None)
    return render(
        request,
        "grievances/meetings/notice_detail.html",
        {
            "notice": notice,
            "form": form,
            "overdue": notice.is_overdue(timezone.localdate()),
            "is_recipient": cadre is not None and cadre.pk == notice.recipient_id,
        },
        status=400,
    )
