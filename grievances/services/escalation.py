"""The sweeps: overdue matters escalate one level up; deadlines near get one reminder.

Both are safe to run twice or at the same time. Escalation claims the due rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` (a second run skips what the first holds) and moves
them with one ``UPDATE ... FROM area`` per batch, guarded on the lapse it saw
(``deadline < today`` and still open): once a run has committed, the new deadline lies in
the future and the same lapse cannot match again. A later lapse (after an extension or at
the new level) escalates again.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from foundation import audit
from liaison.models import Duty, MatterKind, ResponsibilityAssignment
from responsibility_areas.models import Area

from ..deadlines import deadline_table, is_workday
from ..models import (
    AREA_HANDLING_LEVEL,
    OPEN_STATUSES,
    Matter,
    MatterEvent,
    Notification,
    NotificationKind,
)
from ._base import notification, notification_text, responsible_cadre_ids

BATCH = 10_000

ESCALATED_TEXT = gettext_lazy(
    "Matter %(number)s passed its deadline and was escalated from %(from)s to %(to)s; "
    "new deadline %(deadline)s."
)
REMINDER_TEXT = gettext_lazy("Matter %(number)s is due on %(deadline)s.")


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _update_sql(count: int, table: dict) -> tuple[str, list]:
    """One guarded UPDATE ... FROM moving ``count`` claimed matters to their parent area."""
    params: list = []
    level_case = ["CASE p.level"]
    for area_level, level in AREA_HANDLING_LEVEL.items():
        level_case.append("WHEN %s THEN %s")
        params += [str(area_level), str(level)]
    level_case.append("END")
    deadline_case = ["CASE"]
    counties = sorted({county for _level, _kind, county in table if county is not None})
    # A county's own rules first (the few counties that set them), then the default.
    for county in [*counties, None]:
        for area_level, level in AREA_HANDLING_LEVEL.items():
            for kind in MatterKind.values:
                if county is None:
                    deadline_case.append("WHEN p.level = %s AND m.kind = %s THEN %s")
                    params += [str(area_level), kind, table[(str(level), kind, None)]]
                else:
                    deadline_case.append(
                        "WHEN p.level = %s AND m.kind = %s AND m.county_id = %s THEN %s"
                    )
                    params += [str(area_level), kind, county, table[(str(level), kind, county)]]
    deadline_case.append("END")
    # SQLite's RETURNING sees only the updated table, unqualified; PostgreSQL needs "m."
    # (the FROM table has an "id" too).
    prefix = "m." if connection.vendor == "postgresql" else ""
    returning = ", ".join(
        prefix + c for c in ("id", "handling_area_id", "level", "deadline", "handler_id")
    )
    sql = f"""
        UPDATE {_quoted(Matter)} AS m SET
            handling_area_id = p.id,
            handling_path = p.path,
            level = {" ".join(level_case)},
            deadline = {" ".join(deadline_case)},
            handler_id = (
                SELECT ra.cadre_id FROM {_quoted(ResponsibilityAssignment)} ra
                WHERE ra.area_id = p.id AND ra.duty = %s AND ra.start_date <= %s
                  AND (ra.end_date IS NULL OR ra.end_date > %s)
                ORDER BY ra.start_date DESC LIMIT 1
            ),
            escalation_count = m.escalation_count + 1,
            escalated_at = %s,
            updated_at = %s,
            version = m.version + 1
        FROM {_quoted(Area)} AS p
        WHERE m.id IN ({", ".join(["%s"] * count)})
          AND p.path = substr(m.handling_path, 1, length(m.handling_path) - %s)
          AND m.deadline < %s
          AND m.status IN ({", ".join(["%s"] * len(OPEN_STATUSES))})
        RETURNING {returning}
    """
    return sql, params


def _claim_due(today) -> list[tuple]:
    # SKIP LOCKED: a concurrent run leaves the rows we hold alone (and we theirs).
    return [
        row
        for row in Matter.objects.select_for_update(skip_locked=True)
        .filter(status__in=OPEN_STATUSES, deadline__lt=today)
        .order_by("pk")
        .values_list(
            "pk",
            "number",
            "status",
            "level",
            "handling_area_id",
            "handling_path",
            "owner_id",
            "deadline",
            "escalation_count",
        )
        if len(row[5]) > Area.steplen  # a matter at the root has no level above
    ]


def _move(rows, today, now) -> dict[int, tuple]:
    """Run the guarded UPDATE per batch; return, per moved matter, its new
    (handling area, level, deadline, handler) as the UPDATE's RETURNING gave them."""
    ops = connection.ops
    table = {k: ops.adapt_datefield_value(v) for k, v in deadline_table(today).items()}
    d_today, stamp = ops.adapt_datefield_value(today), ops.adapt_datetimefield_value(now)
    after: dict[int, tuple] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            ids = [row[0] for row in rows[start : start + BATCH]]
            sql, params = _update_sql(len(ids), table)
            params += [str(Duty.RESPONSIBLE), d_today, d_today, stamp, stamp]
            params += ids + [Area.steplen, d_today] + [str(s) for s in OPEN_STATUSES]
            cursor.execute(sql, params)
            for pk, area_id, level, deadline, handler_id in cursor.fetchall():
                if isinstance(deadline, str):  # SQLite returns dates as text
                    deadline = date.fromisoformat(deadline)
                after[pk] = (area_id, level, deadline, handler_id)
    return after


def _copy_text(value) -> str:
    """One value in COPY's text format: \\N for NULL, backslash escapes for the rest."""
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Many rows at once: COPY on PostgreSQL (3× a multi-row INSERT), else executemany."""
    table, cols = _quoted(model), ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(v) for v in row))
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buffer)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _record_escalations(rows, after, today, now) -> tuple[int, int]:
    rows = [row for row in rows if row[0] in after]
    area_ids = {row[4] for row in rows} | {a[0] for a in after.values()}
    names = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "name"))
    responsible = responsible_cadre_ids(area_ids, today)
    template = notification_text(ESCALATED_TEXT, {})  # rendered once, filled per matter
    at = connection.ops.adapt_datetimefield_value(now)
    events, notes = [], []
    for pk, number, status, level, old_area, _path, owner, deadline, count in rows:
        new_area, new_level, new_deadline, handler = after[pk]
        data = {
            "from_level": level,
            "to_level": new_level,
            "from_area": names[old_area],
            "to_area": names[new_area],
            "lapsed": deadline.isoformat(),
            "deadline": new_deadline.isoformat(),
            "count": count + 1,
        }
        events.append(
            (
                pk,
                at,
                "system",
                "escalated",
                status,
                status,
                "",
                json.dumps(data, ensure_ascii=False),
            )
        )
        text = (
            template
            % {
                "number": number,
                "from": names[old_area],
                "to": names[new_area],
                "deadline": new_deadline.isoformat(),
            }
        )[:300]
        for cadre_id in {owner, responsible.get(old_area), handler} - {None}:
            notes.append((cadre_id, pk, NotificationKind.ESCALATED.value, text, at))
    _insert_rows(
        MatterEvent,
        ["matter_id", "at", "actor_name", "action", "from_status", "to_status", "note", "data"],
        events,
    )
    _insert_rows(Notification, ["cadre_id", "matter_id", "kind", "text", "created_at"], notes)
    return len(events), len(notes)


@audit.service
def escalate_overdue_matters(*, now: datetime | None = None) -> int:
    """Move every open matter past its deadline one level up; return how many moved.

    The handling area's parent becomes the handling area, its responsible cadre the
    handler (none if it has none), the deadline starts again with the new level's rule,
    and the owner, the old and the new level's responsible cadres are notified.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = _claim_due(today)
    moved = _move(rows, today, now) if rows else {}
    if not moved:
        audit.nothing_changed()
        return 0
    events, notes = _record_escalations(rows, moved, today, now)
    audit.record(
        actor=None,
        action="matters.escalated",
        actor_name="system",
        data={"count": len(moved), "on": today.isoformat(), "notifications": notes},
    )
    return events


def in_working_hours(now: datetime) -> bool:
    """Whether ``now`` falls in working hours on a working day (Asia/Shanghai by default)."""
    local = timezone.localtime(now)
    start, end = settings.GRIEVANCE_WORKING_HOURS
    return is_workday(local.date()) and start <= local.hour < end


def next_working_start(now: datetime) -> datetime:
    """When reminders deferred at ``now`` go out: the next working day's first hour."""
    local = timezone.localtime(now)
    start = settings.GRIEVANCE_WORKING_HOURS[0]
    day = local.date() if local.hour < start else local.date() + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(start)))


@audit.service
def send_deadline_reminders(*, now: datetime | None = None, days_before: int | None = None) -> int:
    """Remind handler and owner of matters due within ``days_before`` days, once per deadline.

    Outside working hours nothing is sent (returns 0): the next run in working hours
    sends them, so nobody is woken at midnight.
    """
    now = now or timezone.now()
    if not in_working_hours(now):
        audit.nothing_changed()
        return 0
    days = settings.GRIEVANCE_REMINDER_DAYS if days_before is None else days_before
    today = timezone.localdate(now)
    due = (
        Matter.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=OPEN_STATUSES,
            deadline__gte=today,
            deadline__lte=today + timedelta(days=days),
        )
        .exclude(reminded_for_deadline=F("deadline"))
        .order_by("pk")
    )
    rows = list(due.values_list("pk", "number", "deadline", "owner_id", "handler_id"))
    if not rows:
        audit.nothing_changed()
        return 0
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), BATCH):
        # Guarded like the claim: a reminder already sent for this deadline is not sent again.
        Matter.objects.filter(pk__in=ids[start : start + BATCH]).exclude(
            reminded_for_deadline=F("deadline")
        ).update(reminded_for_deadline=F("deadline"))
    notes = [
        notification(
            cadre_id=cadre_id,
            matter_id=pk,
            kind=NotificationKind.REMINDER,
            text=notification_text(
                REMINDER_TEXT, {"number": number, "deadline": deadline.isoformat()}
            ),
        )
        for pk, number, deadline, owner, handler in rows
        for cadre_id in {owner, handler} - {None}
    ]
    Notification.objects.bulk_create(notes, batch_size=5000)
    audit.record(
        actor=None,
        action="matters.reminded",
        actor_name="system",
        data={"count": len(rows), "on": today.isoformat()},
    )
    return len(rows)
