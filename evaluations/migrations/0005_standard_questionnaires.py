"""Two standard questionnaires, so a fresh installation can start a campaign at once."""

from django.db import migrations

STANDARD = [
    (
        "结对干部满意度测评（标准问卷）",
        "cadre",
        [
            {"code": "q1", "text": "您对结对干部联系服务群众的情况满意吗？", "kind": "scale", "allow_unknown": True},
            {"code": "q2", "text": "您对结对干部帮助解决困难问题的情况满意吗？", "kind": "scale", "allow_unknown": True},
            {"code": "q3", "text": "您对结对干部的工作作风满意吗？", "kind": "scale", "allow_unknown": True},
            {"code": "q4", "text": "您对干部工作还有什么意见和建议？", "kind": "text", "allow_unknown": True},
        ],
    ),
    (
        "领导班子满意度测评（标准问卷）",
        "leading_body",
        [
            {"code": "q1", "text": "您对本村（社区）、本乡镇领导班子的工作总体满意吗？", "kind": "scale", "allow_unknown": True},
            {"code": "q2", "text": "您对领导班子解决群众反映问题的情况满意吗？", "kind": "scale", "allow_unknown": True},
            {"code": "q3", "text": "您对领导班子还有什么意见和建议？", "kind": "text", "allow_unknown": True},
        ],
    ),
]


def add(apps, schema_editor):
    Questionnaire = apps.get_model("evaluations", "Questionnaire")
    Version = apps.get_model("evaluations", "QuestionnaireVersion")
    for name, subject, questions in STANDARD:
        questionnaire, created = Questionnaire.objects.get_or_create(name=name, subject=subject)
        if created:
            Version.objects.create(questionnaire=questionnaire, number=1, questions=questions)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_commendation")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
