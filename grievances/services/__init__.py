"""Writes to the grievance ledger. Each is one audited transaction.

Split by responsibility; everything is re-exported here, so callers write
``from grievances import services`` and ``services.file_matter(...)``.
"""

from ._base import (
    MatterError,
    can_handle,
    is_leader_for,
    responsible_cadre_id,
    responsible_cadre_ids,
)
from .calendar import (
    confirm_calendar_year,
    remove_calendar_day,
    save_calendar_day,
    set_deadline_rule,
)
from .escalation import (
    escalate_overdue_matters,
    in_working_hours,
    next_working_start,
    send_deadline_reminders,
)
from .ledger import is_rollup_day, month_bounds, rollup_day, rollup_ledger
from .matters import (
    TRANSITIONS,
    file_matter,
    handling_level_of,
    handling_tier,
    ledger_visit_matters,
)
from .reports import accept_public_report, receive_public_report
from .transitions import (
    close_out,
    explain,
    extend_deadline,
    record_feedback,
    reopen,
    report_up,
    resolve,
    start_work,
)

# Public helpers that write nothing.
READS = (
    "can_handle",
    "handling_level_of",
    "handling_tier",
    "in_working_hours",
    "is_leader_for",
    "is_rollup_day",
    "month_bounds",
    "next_working_start",
    "responsible_cadre_id",
    "responsible_cadre_ids",
    "rollup_day",
    "is_workday",
    "notification",
    "notification_text",
    "require_handler",
    "require_leader",
    "require_visible",
)

__all__ = [
    "accept_public_report",
    "confirm_calendar_year",
    "remove_calendar_day",
    "save_calendar_day",
    "set_deadline_rule",
    "receive_public_report",
    "TRANSITIONS",
    "MatterError",
    "can_handle",
    "close_out",
    "escalate_overdue_matters",
    "explain",
    "extend_deadline",
    "file_matter",
    "handling_level_of",
    "handling_tier",
    "in_working_hours",
    "is_leader_for",
    "is_rollup_day",
    "ledger_visit_matters",
    "month_bounds",
    "next_working_start",
    "record_feedback",
    "reopen",
    "report_up",
    "resolve",
    "responsible_cadre_id",
    "responsible_cadre_ids",
    "rollup_day",
    "rollup_ledger",
    "send_deadline_reminders",
    "start_work",
]
