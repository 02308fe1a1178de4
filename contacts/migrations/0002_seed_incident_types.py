"""Seed the incident types every force starts with.

The list is written out here (not imported) so this migration means the same thing
whenever it runs; administrators change the data afterwards.
"""

from django.db import migrations

CRIME = "crime"
VIOLENCE = "Violence and sexual offences"
ASB = "Anti-social behaviour"

# (code, name, category, data.police.uk category)
INCIDENT_TYPES = [
    # Crime, grouped under the data.police.uk categories they are published as.
    ("violence-with-injury", "Violence with injury", CRIME, VIOLENCE),
    ("violence-without-injury", "Violence without injury (incl. common assault)", CRIME, VIOLENCE),
    ("stalking-harassment", "Stalking and harassment", CRIME, VIOLENCE),
    ("sexual-offence", "Sexual offence", CRIME, VIOLENCE),
    ("public-order", "Public order offence", CRIME, "Public order"),
    ("criminal-damage", "Criminal damage", CRIME, "Criminal damage and arson"),
    ("arson", "Arson", CRIME, "Criminal damage and arson"),
    ("shoplifting", "Shoplifting", CRIME, "Shoplifting"),
    ("other-theft", "Other theft (incl. making off without payment)", CRIME, "Other theft"),
    ("vehicle-crime", "Theft of or from a vehicle", CRIME, "Vehicle crime"),
    ("burglary-residential", "Burglary: residential", CRIME, "Burglary"),
    ("burglary-business", "Burglary: business and community", CRIME, "Burglary"),
    ("drugs", "Drug offence", CRIME, "Drugs"),
    ("possession-of-weapons", "Possession of weapons", CRIME, "Possession of weapons"),
    ("robbery", "Robbery", CRIME, "Robbery"),
    ("bicycle-theft", "Bicycle theft", CRIME, "Bicycle theft"),
    ("theft-from-the-person", "Theft from the person", CRIME, "Theft from the person"),
    ("other-crime", "Other crime", CRIME, "Other crime"),
    ("fraud", "Fraud (referred to Report Fraud)", CRIME, ""),
    # Anti-social behaviour, the three NSIR types.
    ("asb-personal", "ASB: personal (targeted at a person or group)", "asb_personal", ASB),
    ("asb-nuisance", "ASB: nuisance (affecting a community)", "asb_nuisance", ASB),
    ("asb-environmental", "ASB: environmental (fly-tipping, graffiti, abandoned vehicles)", "asb_environmental", ASB),
    # Incidents that are not crimes.
    ("concern-for-welfare", "Concern for welfare", "non_crime", ""),
    ("missing-person", "Missing person", "non_crime", ""),
    ("mental-health", "Mental health crisis", "non_crime", ""),
    ("domestic-incident", "Domestic incident (no crime disclosed)", "non_crime", ""),
    ("rtc-damage-only", "Road traffic collision: damage only", "non_crime", ""),
    ("rtc-injury", "Road traffic collision: injury", "non_crime", ""),
    ("highway-disruption", "Highway disruption or obstruction", "non_crime", ""),
    ("suspicious-activity", "Suspicious activity", "non_crime", ""),
    ("noise", "Noise nuisance", "non_crime", ""),
    ("lost-property", "Lost property", "non_crime", ""),
    ("found-property", "Found property", "non_crime", ""),
    ("civil-dispute", "Civil dispute", "non_crime", ""),
    ("alarm-activation", "Alarm activation", "non_crime", ""),
    ("sudden-death", "Sudden death", "non_crime", ""),
    ("animal-related", "Animal-related incident", "non_crime", ""),
    ("assist-other-agency", "Request to assist another agency", "non_crime", ""),
    ("information-report", "Information or intelligence report", "non_crime", ""),
    ("abandoned-call", "Abandoned or silent call", "non_crime", ""),
]


def seed(apps, schema_editor):
    IncidentType = apps.get_model("contacts", "IncidentType")
    for code, name, category, police_uk_category in INCIDENT_TYPES:
        IncidentType.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "police_uk_category": police_uk_category}
        )


def unseed(apps, schema_editor):
    IncidentType = apps.get_model("contacts", "IncidentType")
    IncidentType.objects.filter(code__in=[row[0] for row in INCIDENT_TYPES], contacts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
