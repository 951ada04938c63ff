"""The change log in words: who did what to what, and what changed (旧值 → 新值).

An :class:`~foundation.models.AuditEvent` stores codes (``matter.start_work``), a model
label and a JSON dict, as the services wrote them. This module turns one into what a
county leader reads: the person, a phrase in the user's language, the object with a link
to its page (which itself answers 404 out of scope), and the details as labelled values —
statuses, kinds, roles and levels by their labels, dates as forms write them, a field
that changed as old → new. What it cannot name stays available as the raw record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.models import CaseAction
from foundation.periods import KINDS as PERIOD_KINDS
from grievances.models import HandlingLevel, MatterStatus, Satisfaction
from liaison.models import CommitmentStatus, MatterKind, PairingKind
from responsibility_areas.models import Level, Role

ACTIONS = {
    "accountability.resolved": _("resolved an accountability case"),
    "activity.rolled_up": _("computed the monthly liaison figures"),
    "area.created": _("created an area"),
    "area.moved": _("moved an area"),
    "area.tree_ensured": _("built the area tree"),
    "area.updated": _("edited an area"),
    "cadre.registered": _("registered a cadre"),
    "campaign.closed": _("closed a survey"),
    "campaign.created": _("created a survey"),
    "campaign.opened": _("opened a survey"),
    "commitment.added": _("added a commitment"),
    "commitment.status_set": _("updated a commitment"),
    "dashboard.exported": _("exported a dashboard"),
    "data_key.registered": _("registered the data encryption key"),
    "evaluation.commendations_confirmed": _("confirmed the commendations"),
    "evaluation.paper_batch": _("entered paper questionnaires"),
    "evaluation.qr_answer": _("received a survey answer by QR code"),
    "evaluation.results_exported": _("exported survey results"),
    "evaluation.seeded_at_scale": _("generated benchmark surveys"),
    "export.full_pii": _("exported a roster with full ID numbers"),
    "household.bulk_registered": _("registered households in bulk"),
    "household.identity_revealed": _("viewed a full ID number"),
    "household.registered": _("registered a household"),
    "household.updated": _("edited a household"),
    "import.failed": _("import failed"),
    "import.files_purged": _("deleted old import files"),
    "import.previewed": _("checked an import"),
    "import.stalled_failed": _("stopped stalled imports"),
    "import.started": _("started an import"),
    "import.uploaded": _("uploaded an import file"),
    "joint_meeting.recorded": _("recorded a joint meeting"),
    "ledger.rolled_up": _("computed the monthly ledger"),
    "list.exported": _("exported a list to Excel"),
    "public_report.accepted": _("took a household's report into the ledger"),
    "public_report.received": _("received a report from a household"),
    "matter.close_out": _("closed out a matter"),
    "matter.explain": _("settled a matter by explanation"),
    "matter.extend_deadline": _("extended a matter's deadline"),
    "matter.filed": _("filed a matter"),
    "matter.meeting_decision": _("recorded a joint meeting's decision"),
    "matter.record_feedback": _("recorded the household's feedback"),
    "matter.reopen": _("reopened a matter"),
    "matter.report_up": _("reported a matter to the higher level"),
    "matter.resolve": _("resolved a matter"),
    "matter.start_work": _("started work on a matter"),
    "matter.supervision_response": _("answered a supervision notice"),
    "matters.escalated": _("escalated overdue matters"),
    "matters.reminded": _("sent deadline reminders"),
    "membership.ended": _("ended a role"),
    "membership.granted": _("granted a role"),
    "notifications.read": _("read notifications"),
    "pairing.bulk_created": _("created pairings in bulk"),
    "pairing.created": _("paired a cadre with a household"),
    "pairing.ended": _("ended a pairing"),
    "pairing_policy.changed": _("changed the pairing rules"),
    "pairing_policy.created": _("set pairing rules"),
    "pairing_policy.removed": _("removed pairing rules"),
    "questionnaire.created": _("created a questionnaire"),
    "questionnaire.edited": _("edited a questionnaire"),
    "resource.imported": _("imported a spreadsheet"),
    "responsibility.assigned": _("assigned a responsible person"),
    "roster.imported": _("imported a pairing roster"),
    "scale.matters_seeded": _("generated benchmark matters"),
    "scale.people_seeded": _("generated benchmark people"),
    "supervision_notice.acknowledged": _("acknowledged a supervision notice"),
    "supervision_notice.issued": _("issued a supervision notice"),
    "supervision_notice.responded": _("answered a supervision notice"),
    "user.created": _("created a user"),
    "visit.recorded": _("recorded a visit diary"),
}

DETAILS = {
    "action": _("action"),
    "area": _("area"),
    "areas": _("areas"),
    "cadre": _("cadre"),
    "cadres": _("cadres"),
    "meetings": _("joint meetings"),
    "notices": _("supervision notices"),
    "change_log": _("change log"),
    "ledger": _("grievance ledger"),
    "campaigns": _("surveys"),
    "cases": _("accountability cases"),
    "changed": _("fields changed"),
    "confirm": _("confirmed"),
    "content": _("content"),
    "count": _("count"),
    "created": _("created"),
    "end_date": _("end date"),
    "file_name": _("file"),
    "from": _("status before"),
    "head_name": _("head of household"),
    "household": _("household"),
    "households": _("households"),
    "id": _("ID number"),
    "kind": _("kind"),
    "late": _("late"),
    "level": _("level"),
    "matters": _("matters"),
    "month": _("month"),
    "name": _("name"),
    "new_version": _("new version"),
    "notifications": _("notifications"),
    "number": _("matter number"),
    "on": _("date"),
    "owner": _("owner (first visitor)"),
    "reference": _("reference"),
    "what": _("what"),
    "filters": _("filter"),
    "outcome": _("outcome"),
    "period": _("period"),
    "recipient": _("recipient"),
    "removed": _("removed"),
    "replaced": _("replaced"),
    "responses": _("responses"),
    "role": _("role"),
    "rows": _("rows"),
    "satisfaction": _("satisfaction"),
    "staff": _("staff"),
    "status": _("status"),
    "superuser": _("superuser"),
    "surveyor": _("surveyor"),
    "to": _("status after"),
    "top": _("top"),
    "total_rows": _("rows in the file"),
    "new": _("new rows"),
    "updated": _("updated rows"),
    "unchanged": _("unchanged rows"),
    "error_rows": _("rows with errors"),
    "user": _("user"),
    "username": _("user name"),
    "valid_rows_only": _("valid rows only"),
    "version": _("version"),
}

# Values that are codes: shown by their label.
CHOICES = {
    "from": MatterStatus,
    "to": MatterStatus,
    "level": Level,
    "role": Role,
    "satisfaction": Satisfaction,
    "handling_level": HandlingLevel,
}
EXPORTED = {
    "visits": _("visit diaries"),
    "households": _("households"),
    "cadres": _("cadres"),
    "monthly_ledger": _("monthly ledger"),
    "roster": _("pairing roster"),
}

CHOICES_BY_ACTION = {
    "pairing.created": {"kind": PairingKind},
    "commitment.status_set": {"status": CommitmentStatus},
    "accountability.resolved": {"action": CaseAction},
    "matter.filed": {"kind": MatterKind},
}

# Object pages: model label -> URL name (the page answers 404 out of scope).
PAGES = {
    "grievances.matter": "grievances:detail",
    "grievances.jointmeeting": "meetings:detail",
    "grievances.supervisionnotice": "supervision:detail",
    "liaison.household": "household_detail",
    "liaison.cadre": "cadre_detail",
    "liaison.visit": "visit_detail",
    "liaison.importjob": "import_detail",
    "evaluations.campaign": "evaluations:detail",
    "responsibility_areas.area": "responsibility_areas:detail",
}
# Which detail names the object in words.
NAMING_KEYS = ("number", "head_name", "name", "area", "file_name", "cadre", "user")


@dataclass
class Detail:
    label: str
    value: str = ""
    before: str | None = None  # set when the detail is a change: before → value


@dataclass
class Entry:
    event: object
    phrase: str
    object_kind: str
    object_name: str
    object_url: str
    details: list[Detail] = field(default_factory=list)
    raw: dict = field(default_factory=dict)  # what could not be put in words


def object_types() -> list[tuple[str, str]]:
    """(model label, verbose name) of the objects the log names, for the filter."""
    found = []
    for label in sorted(PAGES):
        model = _model(label)
        if model is not None:
            found.append((label, str(model._meta.verbose_name)))
    return sorted(found, key=lambda pair: pair[1])


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(text)) for code, text in ACTIONS.items()), key=lambda p: p[1])


def describe(event) -> Entry:
    data = dict(event.data or {})
    model = _model(event.object_type)
    kind = str(model._meta.verbose_name) if model is not None else ""
    name = next((str(data[k]) for k in NAMING_KEYS if data.get(k) not in (None, "")), "")
    entry = Entry(
        event=event,
        phrase=str(ACTIONS.get(event.action, "")) or gettext("made a change"),
        object_kind=kind,
        object_name=name or (event.object_id and f"#{event.object_id}") or "",
        object_url=_page(event.object_type, event.object_id),
    )
    before = data.pop("before", None)
    after = data.pop("after", None)
    if isinstance(before, dict):
        changes = after if isinstance(after, dict) else data
        for key, old in before.items():
            entry.details.append(
                Detail(
                    _field_label(model, key),
                    _value(event.action, key, changes.get(key), model),
                    _value(event.action, key, old, model),
                )
            )
            data.pop(key, None)
    if "from" in data and "to" in data:
        entry.details.append(
            Detail(
                gettext("status"),
                _value(event.action, "to", data.pop("to"), model),
                _value(event.action, "from", data.pop("from"), model),
            )
        )
    for key, value in data.items():
        if key in DETAILS:
            entry.details.append(Detail(str(DETAILS[key]), _value(event.action, key, value, model)))
        else:
            entry.raw[key] = _value(event.action, key, value, model)
    return entry


def _model(label: str):
    if not label or "." not in label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _page(label: str, pk: str) -> str:
    name = PAGES.get(label)
    if not name or not pk or not pk.isdigit():
        return ""
    try:
        return reverse(name, args=[int(pk)])
    except NoReverseMatch:
        return ""


def _field_label(model, key: str) -> str:
    if key in DETAILS:
        return str(DETAILS[key])
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except Exception:  # noqa: BLE001 - not a field: the key as written
            return key
    return key


def _value(action: str, key: str, value, model) -> str:
    if value is None or value == "":
        return "—"
    choices = CHOICES_BY_ACTION.get(action, {}).get(key) or CHOICES.get(key)
    if key == "what" and isinstance(value, str) and value in EXPORTED:
        return str(EXPORTED[value])
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if choices is not None and isinstance(value, str):
        return str(dict(choices.choices).get(value, value))
    if key == "period" and isinstance(value, str) and value in PERIOD_KINDS:
        return str(PERIOD_KINDS[value])  # 本月, 上月, 本年 — never the code
    if key == "changed" and isinstance(value, list):
        return "、".join(_field_label(model, str(v)) for v in value)
    if isinstance(value, list):
        return "、".join(_value(action, key, v, model) for v in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        if key == "month":
            return gettext("%(year)d-%(month)02d") % {"year": day.year, "month": day.month}
        return gettext("%(year)d-%(month)02d-%(day)02d") % {
            "year": day.year,
            "month": day.month,
            "day": day.day,
        }
    if isinstance(value, dict):
        return "；".join(
            f"{_field_label(model, k)}：{_value(action, k, v, model)}" for k, v in value.items()
        )
    return str(value)


__all__ = ["ACTIONS", "action_choices", "describe", "object_types"]
