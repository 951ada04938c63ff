"""Every selector that returns people's rows takes the viewer first (issue 9 §2).

Two selectors once took only a cadre and listed another township's households and matters
on the cadre page. The rule is held here by signature: a public function of a selectors
module either takes ``viewer``/``user`` first or is named below as returning no people's
rows (figures per area, helpers that annotate a queryset the caller scoped).
"""

import importlib
import inspect

import pytest

MODULES = [
    "liaison.selectors",
    "liaison.pairing_rules",
    "grievances.selectors",
    "responsibility_areas.selectors",
    "evaluations.selectors",
]

# name -> why it may go without the viewer
NO_PEOPLE_ROWS = {
    "year_fraction": "a number",
    "active_pairing_exists": "an expression for a queryset the caller scoped",
    "with_last_visit": "annotates a queryset the caller scoped",
    "coverage_by_branch": "counts per child area",
    "with_quota_progress": "annotates a queryset the caller scoped",
    "behind_schedule_q": "a Q object",
    "quota_compliance_by_branch": "counts per child area",
    "progress_row": "figures of one cadre the caller already holds",
    "commitment_target": "two numbers",
    "with_pairing_figures": "annotates a queryset the caller scoped",
    "with_policy": "annotates a queryset the caller scoped",
    "breaks_123_q": "a Q object",
    "breaks_rules_q": "a Q object",
    "checked_cadres": "annotates a queryset the caller scoped",
    "breaches": "sentences about one cadre the caller holds",
    "breaches_of": "sentences about one cadre the caller holds",
    "current_area": "takes the request (whose user is the viewer)",
    "level_counts": "counts of areas (the tree holds no people)",
    "child_level_counts": "counts of areas",
    "rule_for": "the numbers of an area level",
    "campaign_validity": "counts of a campaign's participants",
    "campaign_validities": "counts of campaigns' participants, by campaign",
    "quarter_start": "a date",
    "due_soon_date": "a date",
    "ballot_subjects": "whom a ballot grades: the ballot code is the caller's credential",
    "ballot_for": "the ballot a typed code opens: the code is the credential, no viewer",
    "with_unfiled_matters": "narrows a queryset the caller scoped",
    "participants_of": "two counts of the responses the caller chose",
}


def _public_functions():
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not attr.startswith("_")
            ):
                yield f"{name}.{attr}", attr, value


@pytest.mark.parametrize(
    "qualified,name,function",
    list(_public_functions()),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_selector_takes_the_viewer_first(qualified, name, function):
    if name in NO_PEOPLE_ROWS:
        return
    parameters = list(inspect.signature(function).parameters)
    assert parameters and parameters[0] in {"viewer", "user"}, (
        f"{qualified} returns people's rows: its first parameter must be the viewer "
        f"(and it must filter through visible_to), or list it in NO_PEOPLE_ROWS with the reason"
    )
