"""待办: what each person has to do today, on the home page, per role.

Every section is one app's selector (viewer first, scoped) read once for the first few rows
and once for the count — two indexed queries per list. Items carry the marks people know
from 政务 systems: red when past the deadline, amber when due within three working days.

- cadre: matters I own or handle (by deadline), my paired households not visited this
  quarter (must-visit first), my quota progress;
- clerk: matters of the township due or overdue, feedback to record, imports waiting for
  confirmation, diary matters not filed in the ledger;
- leader: close-outs awaiting my approval, escalations to my level, joint meetings due,
  supervision notices to answer, cadres behind schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation import generation
from grievances import selectors as ledger
from grievances.indicators import meetings_due
from liaison import selectors as people
from liaison.indicators import cadres_behind_count
from liaison.selectors import progress_row, with_quota_progress
from responsibility_areas.models import LEADER_ROLES, Area, Membership, Role
from responsibility_areas.selectors import user_roles

SHOWN = 5  # items per section on the home page; the section links to the whole list

RED, AMBER = "overdue", "due-soon"


@dataclass
class Item:
    text: str
    url: str
    when: date | None = None
    mark: str = ""  # RED, AMBER or ""
    note: str = ""
    tag: str = ""  # the word on the mark; by default "overdue" / "due soon"


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""
    empty: str = ""

    @property
    def marked(self) -> str:
        marks = {item.mark for item in self.items}
        return RED if RED in marks else AMBER if AMBER in marks else ""


def _mark(deadline: date | None, today: date, soon: date) -> str:
    if deadline is None:
        return ""
    if deadline < today:
        return RED
    return AMBER if deadline <= soon else ""


def _first(queryset) -> tuple[list, int]:
    rows = list(queryset[:SHOWN])
    count = len(rows) if len(rows) < SHOWN else queryset.count()
    return rows, count


def _matter_items(matters, today, soon) -> list[Item]:
    return [
        Item(
            text=f"{m.number} · {m.applicant_name} · {m.topic or m.get_kind_display()}",
            url=m.get_absolute_url(),
            when=m.deadline,
            mark=_mark(m.deadline, today, soon) if m.is_open else "",
            note=m.get_status_display(),
        )
        for m in matters
    ]


def led_areas(user) -> list[Area]:
    """The areas ``user`` leads (township or county leader) today."""
    return [
        m.area
        for m in Membership.objects.active()
        .filter(user=user, role__in=LEADER_ROLES)
        .select_related("area")
    ]


# --- Sections --------------------------------------------------------------------------------


def cadre_sections(user, cadre, today: date, soon: date) -> list[Section]:
    matters, count = _first(
        ledger.open_matters_of_cadre(user, cadre).exclude(status__in=ledger.DONE_STATUSES)
    )
    reports, waiting = _first(ledger.reports_to_accept(user, cadre))
    sections = [
        Section(
            "reports",
            _("Reports from my households to take into the ledger"),
            waiting,
            [
                Item(
                    text=f"{r.reference} · {r.household.head_name}",
                    url=reverse("grievances:reports"),
                    when=timezone.localdate(r.created_at),
                    mark=AMBER,
                    tag=_("new"),
                    note=r.description[:30],
                )
                for r in reports
            ],
            reverse("grievances:reports") + "?waiting=true",
            _("No new reports from households."),
        ),
        Section(
            "my_matters",
            _("Matters I own or handle"),
            count,
            _matter_items(matters, today, soon),
            reverse("grievances:list") + "?mine=true",
            _("No open matters. Well done."),
        ),
    ]
    notices, count = _first(ledger.notices_to_answer(user, cadre))
    sections.append(
        Section(
            "notices",
            _("Supervision notices to answer"),
            count,
            [
                Item(
                    text=n.matter.number if n.matter_id else _("Supervision notice"),
                    url=n.get_absolute_url(),
                    when=n.respond_by,
                    mark=_mark(n.respond_by, today, soon) or AMBER,
                    tag="" if n.respond_by < today else _("to answer"),
                    note=f"{n.issuer_name} · {n.text[:24]}",
                )
                for n in notices
            ],
            reverse("supervision:list") + "?box=received&open=1",
            _("No notices to answer."),
        )
    )
    households, count = _first(people.not_visited_this_quarter(user, cadre, today))
    sections.append(
        Section(
            "not_visited",
            _("Paired households not visited this quarter"),
            count,
            [
                Item(
                    text=h.head_name,
                    url=h.get_absolute_url(),
                    when=h.last_visit,
                    mark=RED if h.must else "",
                    tag=_("must visit") if h.must else "",
                    note=_("last visited") if h.last_visit else _("never visited"),
                )
                for h in households
            ],
            reverse("household_list") + "?not_visited=true",
            _("Every paired household has been visited this quarter."),
        )
    )
    annotated = with_quota_progress(type(cadre).objects.filter(pk=cadre.pk), today.year).first()
    if annotated is not None:
        progress = progress_row(annotated, today)
        labels = {
            "contacts": _("Contacts"),
            "visits": _("Visits into the village"),
            "stay": _("Days living in the village"),
        }
        items = [
            Item(
                text=f"{labels[i['key']]} {i['done']} / {i['quota']}",
                url=cadre.get_absolute_url() + "#quota",
                mark=AMBER if i["behind"] else "",
                note=_("behind schedule") if i["behind"] else _("on schedule"),
            )
            for i in progress["items"]
            if i["quota"]
        ]
        if items:
            sections.append(
                Section(
                    "my_quota",
                    _("My quota this year"),
                    sum(1 for i in items if i.mark),
                    items,
                    cadre.get_absolute_url() + "#quota",
                )
            )
    return sections


def clerk_sections(user, area: Area, today: date, soon: date) -> list[Section]:
    ledger_url = reverse("grievances:list")
    matters, count = _first(ledger.matters_due(user, area, today))
    sections = [
        Section(
            "due",
            _("Matters due or overdue"),
            count,
            _matter_items(matters, today, soon),
            f"{ledger_url}?{urlencode({'due_soon': 'true', 'area': area.pk})}",
            _("Nothing due in the next three working days."),
        )
    ]
    matters, count = _first(ledger.awaiting_feedback(user, area))
    sections.append(
        Section(
            "feedback",
            _("Household feedback to record"),
            count,
            _matter_items(matters, today, soon),
            f"{ledger_url}?{urlencode({'awaiting': 'feedback', 'area': area.pk})}",
            _("No feedback waiting."),
        )
    )
    jobs, count = _first(people.imports_waiting(user))
    sections.append(
        Section(
            "imports",
            _("Imports waiting for confirmation"),
            count,
            [
                Item(
                    text=job.file_name,
                    url=reverse("import_detail", args=[job.pk]),
                    note=_("checked, waiting for confirmation"),
                )
                for job in jobs
            ],
            reverse("import_list"),
            _("No imports waiting."),
        )
    )
    raised, count = _first(people.diaries_with_unfiled_matters(user, area))
    sections.append(
        Section(
            "unfiled",
            _("Diaries with matters not yet in the ledger"),
            count,
            [
                Item(
                    text=f"{visit.cadre.name} · {visit.place}",
                    url=visit.get_absolute_url(),
                    when=visit.visited_on,
                    mark=AMBER,
                )
                for visit in raised
            ],
            reverse("visit_list") + f"?{urlencode({'unfiled': 'true', 'area': area.pk})}",
            _("Every diary matter is in the ledger."),
        )
    )
    return sections


def leader_sections(user, area: Area, today: date, soon: date) -> list[Section]:
    ledger_url = reverse("grievances:list")
    led = led_areas(user)
    sections = []
    matters, count = _first(ledger.awaiting_close_out(user, led))
    sections.append(
        Section(
            "close_out",
            _("Close-outs awaiting my approval"),
            count,
            _matter_items(matters, today, soon),
            reverse("grievances:close_out") + "?awaiting=1",
            _("Nothing awaits your approval."),
        )
    )
    matters, count = _first(ledger.escalated_to(user, led))
    sections.append(
        Section(
            "escalated",
            _("Matters escalated to my level"),
            count,
            _matter_items(matters, today, soon),
            f"{ledger_url}?{urlencode({'escalated_to_me': 'true'})}",
            _("No matters escalated to you."),
        )
    )
    due, count = _first(meetings_due(user, area, today).order_by("path"))
    sections.append(
        Section(
            "meetings",
            _("Joint meetings due"),
            count,
            [
                Item(
                    text=a.name,
                    url=reverse("meetings:new") + f"?area={a.pk}",
                    mark=RED,
                    note=_("joint meeting due"),
                )
                for a in due
            ],
            reverse("meetings:due") + f"?area={area.pk}",
            _("No joint meeting is due."),
        )
    )
    behind, computed_at = cadres_behind_count(area)
    if behind is not None:
        url = reverse("cadre_list") + "?behind=1"
        sections.append(
            Section(
                "behind",
                _("Cadres behind schedule"),
                behind,
                [
                    Item(
                        text=_("%(n)d cadres behind their yearly quota") % {"n": behind},
                        url=url,
                        mark=AMBER if behind else "",
                        tag=_("behind schedule"),
                        note=_("counted %(when)s")
                        % {"when": timezone.localtime(computed_at).strftime("%m-%d %H:%M")},
                    )
                ]
                if behind
                else [],
                url,
                _("Every cadre is on schedule."),
            )
        )
    return sections


def inbox_section(user, today: date) -> Section:
    """Unread notifications (我的通知): escalations, reminders, matters reported up to me,
    returned close-outs, supervision notices, households' reports — whoever they are for."""
    notes, count = _first(ledger.unread_notifications(user))
    return Section(
        "inbox",
        _("Unread notifications"),
        count,
        [
            Item(
                text=n.get_kind_display(),
                url=reverse("grievances:notifications"),
                when=timezone.localdate(n.created_at),
                mark=AMBER,
                tag=_("new"),
                note=n.text[:40],
            )
            for n in notes
        ],
        reverse("grievances:notifications") + "?unread=1",
        _("No unread notifications."),
    )


def supervisor_sections(user, today: date, soon: date) -> list[Section]:
    notices, count = _first(ledger.notices_awaiting_answer(user))
    return [
        Section(
            "issued",
            _("Supervision notices I issued, awaiting an answer"),
            count,
            [
                Item(
                    text=f"{n.recipient.name} · "
                    + (n.matter.number if n.matter_id else _("Supervision notice")),
                    url=n.get_absolute_url(),
                    when=n.respond_by,
                    mark=_mark(n.respond_by, today, soon),
                    note=n.get_status_display(),
                )
                for n in notices
            ],
            reverse("supervision:list") + "?box=issued&open=1",
            _("Every notice you issued has been answered."),
        )
    ]


ROLE_TITLES = {
    "cadre": gettext_lazy("As a cadre"),
    "clerk": gettext_lazy("As the clerk"),
    "leader": gettext_lazy("As a leader"),
    "supervisor": gettext_lazy("As a supervisor"),
    "inbox": gettext_lazy("Notifications"),
}


def todo_for(user, area: Area | None, today: date | None = None) -> list[tuple[str, list]]:
    """``[(role title, [Section])]`` for every role ``user`` has, in the order of the day."""
    today = today or timezone.localdate()
    soon = ledger.due_soon_date(today)
    roles = user_roles(user)
    groups = []
    cadre = getattr(user, "cadre", None)
    if cadre is not None:
        groups.append((ROLE_TITLES["cadre"], cadre_sections(user, cadre, today, soon)))
    if area is not None and Role.CLERK in roles:
        groups.append((ROLE_TITLES["clerk"], clerk_sections(user, area, today, soon)))
    if area is not None and (user.is_superuser or roles & {*LEADER_ROLES}):
        groups.append((ROLE_TITLES["leader"], leader_sections(user, area, today, soon)))
    if Role.SUPERVISOR in roles:
        groups.append((ROLE_TITLES["supervisor"], supervisor_sections(user, today, soon)))
    groups.append((ROLE_TITLES["inbox"], [inbox_section(user, today)]))
    return groups


def todo_count(user, area: Area | None) -> int:
    """How many items wait (red and amber ones), for the navigation; cached per data change."""
    if not user.is_authenticated:
        return 0
    where = area.pk if area is not None else 0
    key = f"todo:{user.pk}:{where}:{generation.current()}:{timezone.localdate()}"
    count = cache.get(key)
    if count is None:
        count = sum(
            section.count
            for _title, sections in todo_for(user, area)
            for section in sections
            if section.key not in {"my_quota"}
        )
        cache.set(key, count, 300)
    return count
