"""The default retention policy: sensible starting periods, each marked for the force to confirm.

Written out here (not imported) so the migration means the same whenever it runs. MoPI groups as
commonly cited under the Police information and records management Code of Practice; the other
periods are the project's defaults (docs/records.md says why), not a national rule.
"""

from django.db import migrations

ACTIVITY = "the last thing recorded about the person (a contact, a crime link or a change to the record)"

# (code, record kind, title, MoPI group, applies to, basis, review after years, until age)
RULES = [
    ("person-group-1", "person", "Public protection (MoPI group 1)", "1",
     "A person with a MARAC referral, a high-risk DASH or DARA assessment, a domestic abuse marker, or a link "
     "to a sexual offence.",
     "the date of birth (or the date the record was created, when the date of birth is not known)", None, 100),
    ("person-group-2", "person", "Violent or serious crime (MoPI group 2)", "2",
     "A person linked to a violent, robbery, weapons or other serious crime, and to no public protection matter.",
     ACTIVITY, 10, None),
    ("person-group-3", "person", "Other persons (MoPI group 3)", "3",
     "Every other person in the index: callers, witnesses, victims and suspects of other crimes.",
     ACTIVITY, 6, None),
    ("contact-no-crime", "contact", "Contacts with no crime", "",
     "A contact from any channel from which no crime was recorded and no domestic abuse risk was assessed.",
     "the day the contact was closed (or received, if it never was)", 6, None),
    ("chat-transcript", "chat", "Live chat transcripts", "",
     "An ended live chat: its messages, the topic and the contact details given.",
     "the day the chat ended", 2, None),
    ("outbox-message", "message", "Messages in the outbox", "",
     "A message that was sent, delivered or failed: its recipient, wording and personalisation.",
     "the day it was delivered, failed or was sent", 2, None),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("records", "RetentionRule")
    for code, kind, title, group, applies_to, basis, years, age in RULES:
        RetentionRule.objects.update_or_create(code=code, defaults={
            "record_kind": kind, "title": title, "mopi_group": group, "applies_to": applies_to, "basis": basis,
            "review_after_years": years, "until_age": age,
        })


def unseed(apps, schema_editor):
    apps.get_model("records", "RetentionRule").objects.filter(code__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
