"""Two more retention rules: the written statements of crimes closed with no further action, and the
files sent with an online report that never became a crime. Their periods are the project's defaults,
for the force to confirm (docs/records.md says why); written out here so the migration means the same
whenever it runs. The exhibit kind is now named for both its rules ("Exhibit").
"""

from django.db import migrations, models

KINDS = [
    ("person", "Person record"), ("contact", "Contact with no crime"), ("chat", "Live chat transcript"),
    ("message", "Message in the outbox"), ("report", "Closed online report"), ("exhibit", "Exhibit"),
    ("statement", "Witness statement"),
]

# (code, record kind, title, applies to, basis, review after years)
RULES = [
    ("statement-nfa", "statement", "Witness statements of crimes closed with no further action",
     "A written statement (MG11) taken for a crime closed with an outcome that took no further action against "
     "anyone: the maker's name, age, occupation and signature, their words and the signed PDF are erased; the "
     "statement's number, dates, SHA-256 and chain of custody are kept.",
     "the day the crime was closed", 6),
    ("report-files", "exhibit", "Files sent with an online report that never became a crime",
     "A photo or other file sent with an online report (or through an upload link for it) whose contact was "
     "closed without a crime being recorded; the file is destroyed, its reference, SHA-256 and chain of custody "
     "are kept.",
     "the day the report's contact was closed", 6),
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
    dependencies = [("records", "0003_online_reports_and_nfa_exhibits")]
    operations = [
        migrations.AlterField("retentionrule", "record_kind", models.CharField(choices=KINDS, max_length=10)),
        migrations.AlterField("retentionreview", "record_kind", models.CharField(choices=KINDS, max_length=10)),
        migrations.RunPython(seed, unseed),
    ]
