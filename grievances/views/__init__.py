"""Ledger pages, split by responsibility: matters (list, page, actions, filing) and the month."""

from .matters import (
    get_matter_for,
    household_search,
    matter_action,
    matter_detail,
    matter_export,
    matter_list,
    matter_new,
    matter_print,
)
from .monthly import (
    close_out_month,
    monthly_export,
    monthly_ledger,
    notification_list,
    notification_read,
    rerun_rollup,
)

__all__ = [
    "monthly_export",
    "matter_print",
    "close_out_month",
    "get_matter_for",
    "household_search",
    "matter_action",
    "matter_detail",
    "matter_export",
    "matter_list",
    "matter_new",
    "monthly_ledger",
    "notification_list",
    "notification_read",
    "rerun_rollup",
]
