"""The first version of the call-quality checklist: what an auditor looks for in a vulnerability assessment.

Our own wording of the points a force's contact-quality audit commonly covers (THRIVE
guidance, repeat and household checks, DASH for domestic abuse). A force loads its own
wording as a new version.
"""

from django.db import migrations

ITEMS = [
    {"code": "caller_vulnerability", "short": "Caller's vulnerability", "when": "always",
     "text": "The caller's own vulnerability was considered (age, health, circumstances, how they sounded)."},
    {"code": "repeat_victim", "short": "Repeat victim and location", "when": "always",
     "text": "Previous contacts were checked: whether the caller is a repeat victim and the place a repeat location."},
    {"code": "household", "short": "Household checked", "when": "always",
     "text": "The household was checked: children, elderly or vulnerable people at the address."},
    {"code": "thrive_rationale", "short": "THRIVE rationale", "when": "always",
     "text": "Each THRIVE answer has a rationale that explains it from what the caller said."},
    {"code": "grade_fits", "short": "Grade fits", "when": "always",
     "text": "The grade and route fit the assessment; any override of the suggestion is explained."},
    {"code": "dash", "short": "DASH when domestic", "when": "domestic",
     "text": "A DASH (or DARA) risk assessment was completed for domestic abuse, and MARAC considered."},
    {"code": "safeguarding_advice", "short": "Safeguarding advice", "when": "always",
     "text": "Safeguarding advice was given (what to do if it happens again, when to call 999)."},
    {"code": "caller_told", "short": "Next steps told", "when": "always",
     "text": "The caller was told what happens next and when."},
]


def add(apps, schema_editor):
    apps.get_model("contacts", "QualityChecklist").objects.get_or_create(
        code="call-quality", version="1",
        defaults={"name": "Call quality: vulnerability assessment", "items": ITEMS, "active": True},
    )


def remove(apps, schema_editor):
    apps.get_model("contacts", "QualityChecklist").objects.filter(code="call-quality", version="1").delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0007_appointments_quality_audit")]
    operations = [migrations.RunPython(add, remove)]
