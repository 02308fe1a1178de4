"""Seed the Home Office reference data: volume-crime classifications, outcome types 1–22, C-codes C1–C4.

Written out here (not imported) so the migration means the same thing whenever it
runs. Offence codes are those of the Home Office Counting Rules as commonly
published; the force's crime registrar checks them against the current edition each
April and changes them through the administration screens.
"""

from django.db import migrations

VIOLENCE = "Violence and sexual offences"

# (Home Office code, offence, data.police.uk category, incident type it is offered for first)
CLASSIFICATIONS = [
    ("5D", "Assault with intent to cause serious harm", VIOLENCE, ""),
    ("8N", "Assault with injury", VIOLENCE, "violence-with-injury"),
    ("8P", "Racially or religiously aggravated assault with injury", VIOLENCE, ""),
    ("105A", "Assault without injury", VIOLENCE, "violence-without-injury"),
    ("105B", "Racially or religiously aggravated assault without injury", VIOLENCE, ""),
    ("104", "Assault without injury on a constable", VIOLENCE, ""),
    ("8L", "Harassment", VIOLENCE, "stalking-harassment"),
    ("8M", "Racially or religiously aggravated harassment", VIOLENCE, ""),
    ("8Q", "Stalking", VIOLENCE, ""),
    ("8R", "Malicious communications", VIOLENCE, ""),
    ("34A", "Robbery of business property", "Robbery", ""),
    ("34B", "Robbery of personal property", "Robbery", "robbery"),
    ("28E", "Burglary – residential", "Burglary", "burglary-residential"),
    ("28F", "Attempted burglary – residential", "Burglary", ""),
    ("30C", "Burglary – business and community", "Burglary", "burglary-business"),
    ("30D", "Attempted burglary – business and community", "Burglary", ""),
    ("39", "Theft from the person", "Theft from the person", "theft-from-the-person"),
    ("44", "Theft or unauthorised taking of a pedal cycle", "Bicycle theft", "bicycle-theft"),
    ("46", "Shoplifting", "Shoplifting", "shoplifting"),
    ("40", "Theft in a dwelling other than from an automatic machine or meter", "Other theft", ""),
    ("49", "Other theft (incl. making off without payment)", "Other theft", "other-theft"),
    ("45", "Theft from a vehicle", "Vehicle crime", "vehicle-crime"),
    ("48", "Theft or unauthorised taking of a motor vehicle", "Vehicle crime", ""),
    ("37/2", "Aggravated vehicle taking", "Vehicle crime", ""),
    ("126", "Interfering with a motor vehicle", "Vehicle crime", ""),
    ("58A", "Criminal damage to a dwelling", "Criminal damage and arson", "criminal-damage"),
    ("58B", "Criminal damage to a building other than a dwelling", "Criminal damage and arson", ""),
    ("58C", "Criminal damage to a vehicle", "Criminal damage and arson", ""),
    ("58D", "Other criminal damage", "Criminal damage and arson", ""),
    ("56A", "Arson endangering life", "Criminal damage and arson", ""),
    ("56B", "Arson not endangering life", "Criminal damage and arson", "arson"),
    ("9A", "Public fear, alarm or distress", "Public order", "public-order"),
    ("9B", "Racially or religiously aggravated public fear, alarm or distress", "Public order", ""),
    ("92D", "Possession of controlled drugs (excluding cannabis)", "Drugs", "drugs"),
    ("92E", "Possession of cannabis", "Drugs", ""),
    ("92A", "Trafficking in controlled drugs", "Drugs", ""),
    ("10D", "Possession of an article with a blade or point", "Possession of weapons", "possession-of-weapons"),
    ("10C", "Possession of other weapons", "Possession of weapons", ""),
    ("53A", "Fraud by false representation (recorded by the force, not referred)", "Other crime", "fraud"),
    ("99", "Other notifiable offence", "Other crime", "other-crime"),
]

# Home Office crime outcome types, as labelled in the outcomes open data tables.
OUTCOMES = [
    (1, "Charged/summonsed"),
    (2, "Caution – youths"),
    (3, "Caution – adults"),
    (4, "Taken into consideration"),
    (5, "Offender died"),
    (6, "Penalty notice for disorder"),
    (7, "Cannabis/khat warning"),
    (8, "Community resolution"),
    (9, "Not in public interest (CPS)"),
    (10, "Formal action not in public interest (police)"),
    (11, "Prosecution prevented – suspect under age"),
    (12, "Prosecution prevented – suspect too ill"),
    (13, "Prosecution prevented – victim/key witness dead or too ill"),
    (14, "Evidential difficulties: suspect not identified; victim does not support action"),
    (15, "Evidential difficulties: named suspect identified; victim supports action"),
    (16, "Evidential difficulties: named suspect identified; victim does not support/withdraws support"),
    (17, "Prosecution time limit expired"),
    (18, "Investigation complete – no suspect identified"),
    (19, "National Fraud Intelligence Bureau filed"),
    (20, "Further action by another body/agency"),
    (21, "Further investigation not in public interest – police decision"),
    (22, "Diversionary, educational or intervention activity; no further action in public interest"),
]

C_CODES = [
    ("C1", "Transferred: committed outside the recording force's area"),
    ("C2", "Additional verifiable information shows no notifiable crime occurred"),
    ("C3", "Duplicate: part of a crime already recorded"),
    ("C4", "Recorded in error"),
]


def seed(apps, schema_editor):
    Classification = apps.get_model("cases", "HomeOfficeClassification")
    OutcomeType = apps.get_model("cases", "OutcomeType")
    CancellationCode = apps.get_model("cases", "CancellationCode")
    IncidentType = apps.get_model("contacts", "IncidentType")
    incident_types = {t.code: t for t in IncidentType.objects.all()}
    for code, name, category, incident_code in CLASSIFICATIONS:
        Classification.objects.update_or_create(
            code=code,
            defaults={"name": name, "police_uk_category": category,
                      "suggested_for": incident_types.get(incident_code)},
        )
    for number, name in OUTCOMES:
        OutcomeType.objects.update_or_create(
            number=number, defaults={"name": name, "requires_victim_decision": number in (15, 16)}
        )
    for code, description in C_CODES:
        CancellationCode.objects.update_or_create(code=code, defaults={"description": description})


def unseed(apps, schema_editor):
    apps.get_model("cases", "HomeOfficeClassification").objects.filter(crimes__isnull=True).delete()
    apps.get_model("cases", "OutcomeType").objects.filter(crimes__isnull=True).delete()
    apps.get_model("cases", "CancellationCode").objects.filter(crimes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("contacts", "0002_seed_incident_types")]

    operations = [migrations.RunPython(seed, unseed)]
