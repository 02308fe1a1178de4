"""Two more record kinds in the retention policy: closed online reports, and the exhibits of crimes
closed with no further action. Their periods are the project's defaults, for the force to confirm
(docs/records.md says why); written out here so the migration means the same whenever it runs.
"""

from django.db import migrations, models

KINDS = [
    ("person", "Person record"), ("contact", "Contact with no crime"), ("chat", "Live chat transcript"),
    ("message", "Message in the outbox"), ("report", "Closed online report"),
    ("exhibit", "Exhibit of a crime closed with no further action"),
]

# (code, record kind, title, applies to, basis, review after years)
RULES = [
    ("online-report-closed", "report", "Closed online reports",
     "An online report from the public or a business that was closed without becoming a crime, or whose crimes "
     "are all closed or cancelled: the answers given, the reporter's contact details and any offender or vehicle "
     "description.",
     "the day the report was closed (the day its last crime was closed or cancelled, if it became one)", 6),
    ("exhibit-nfa", "exhibit", "Evidence of crimes closed with no further action",
     "An exhibit (photo, recording, video or document) of a crime closed with an outcome that took no further "
     "action against anyone; the file is destroyed, its reference, SHA-256 and chain of custody are kept.",
     "the day the crime was closed", 6),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("records", "RetentionRule")
    for code, kind, title, applies_to, basis, years in RULES:
        RetentionRule.objects.update_or_create(code=code, defaults={
            "record_kind": kind, "title": title, "mopi_group": "", "applies_to": applies_to, "basis": basis,
            "review_after_years": years, "until_age": None,
        })


def unseed(apps, schema_editor):
    apps.get_model("records", "RetentionRule").objects.filter(code__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0002_default_retention_policy")]
    operations = [
        migrations.AlterField("retentionrule", "record_kind", models.CharField(choices=KINDS, max_length=10)),
        migrations.AlterField("retentionreview", "record_kind", models.CharField(choices=KINDS, max_length=10)),
        migrations.RunPython(seed, unseed),
    ]
