"""Writes of the evaluation: questionnaires, campaigns, answers, accountability cases.

Each public function is one audited transaction (``foundation.audit``); a broken rule is an
:class:`EvaluationError` naming the field (and, for a paper batch, the row and question).
Split by responsibility; everything is re-exported here (``from evaluations import
services``).
"""

from ._base import EvaluationError
from .answers import PaperRow, issue_ballot_codes, record_paper_batch, record_qr_answer
from .campaigns import (
    close_campaign,
    confirm_commendations,
    create_campaign,
    create_questionnaire,
    edit_questionnaire,
    freeze_closed_campaigns,
    open_campaign,
    record_results_export,
    resolve_case,
)

__all__ = [
    "EvaluationError",
    "PaperRow",
    "close_campaign",
    "confirm_commendations",
    "create_campaign",
    "create_questionnaire",
    "edit_questionnaire",
    "freeze_closed_campaigns",
    "issue_ballot_codes",
    "open_campaign",
    "record_paper_batch",
    "record_qr_answer",
    "record_results_export",
    "resolve_case",
]
