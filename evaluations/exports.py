"""Publication of a campaign: an Excel workbook of results and cases (formulas escaped)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from foundation.masking import safe_cell


def _percent(sheet, x: float | None):
    """A rate as a number Excel shows as a percentage (92.8%), so it sums and sorts — not
    the text "92.8%" (issue 23 §8)."""
    if x is None:
        return ""
    cell = WriteOnlyCell(sheet, value=round(x, 4))
    cell.number_format = "0.0%"
    return cell


def results_workbook(campaign, validity, results, bodies, cases, ranked=(), formula="") -> bytes:
    """Sheets: results per cadre, per leading body, accountability cases. ``results`` and
    ``bodies`` are (name, Result) pairs; no household appears anywhere."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Results per cadre"))
    sheet.append([safe_cell(campaign.name)])
    sheet.append(
        [
            _("Participants"),
            validity.participants,
            _("Grassroots"),
            validity.grassroots,
            _("Valid") if validity.valid else _("not valid"),
            safe_cell(" ".join(validity.problems) or _("Meets every rule of the evaluation.")),
        ]
    )
    headers = [
        _("Cadre"),
        _("Answers"),
        _("Satisfied"),
        _("Fairly satisfied"),
        _("Dissatisfied"),
        _("Satisfaction"),
        _("Dissatisfaction"),
        _("over one third"),
    ]
    sheet.append(headers)
    for name, r in results:
        sheet.append(
            [
                safe_cell(name),
                r.answers,
                r.satisfied,
                r.fairly,
                r.dissatisfied,
                _percent(sheet, r.satisfaction),
                _percent(sheet, r.dissatisfaction),
                _("yes") if r.over_threshold else "",
            ]
        )
    bodies_sheet = book.create_sheet(_("Leading bodies"))
    bodies_sheet.append(headers)
    for name, r in bodies:
        bodies_sheet.append(
            [
                safe_cell(name),
                r.answers,
                r.satisfied,
                r.fairly,
                r.dissatisfied,
                _percent(bodies_sheet, r.satisfaction),
                _percent(bodies_sheet, r.dissatisfaction),
                _("yes") if r.over_threshold else "",
            ]
        )
    cases_sheet = book.create_sheet(_("Accountability cases"))
    cases_sheet.append(
        [_("Subject"), _("Dissatisfied"), _("Answers"), _("Status"), _("Action"), _("Reason")]
    )
    for case in cases:
        subject = case.cadre.name if case.cadre else case.subject_area.name
        cases_sheet.append(
            [
                safe_cell(subject),
                case.dissatisfied,
                case.answers,
                str(case.get_status_display()),
                str(case.get_action_display()) if case.action else "",
                safe_cell(case.reason),
            ]
        )
    ranking = book.create_sheet(_("One test, one exam: scores and ranking"))
    ranking.append([safe_cell(formula)])
    ranking.append([_("Rank"), _("Cadre"), _("Exam"), _("Test (satisfaction)"), _("Score")])
    for score in ranked:
        ranking.append(
            [
                score.rank,
                safe_cell(score.name),
                score.exam,
                score.test if score.test is not None else "",
                score.score,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
