"""An open campaign in one call: the set-up many evaluation tests share."""

from datetime import date

from evaluations import services

ONE_QUESTION = [{"code": "q1", "text": "您对结对干部的工作满意吗？", "kind": "scale"}]


def open_campaign(area, *, name="2026年度测评", questions=None, actor=None, **options):
    """A campaign of ``area``'s subtree for 2026, opened, on a fresh questionnaire."""
    version = services.create_questionnaire(
        actor=None, name="结对干部满意度", subject="cadre", questions=questions or ONE_QUESTION
    )
    campaign = services.create_campaign(
        actor=actor,
        area=area,
        name=name,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        questionnaire=version,
        **options,
    )
    return services.open_campaign(actor=actor, campaign=campaign)
