import django.db.models.deletion
from django.db import migrations, models


def point_links_at_crimes(apps, schema_editor):
    """Give every existing link the crime its reference names; a reference that matches no crime stays unlinked."""
    PersonLink = apps.get_model("people", "PersonLink")
    Crime = apps.get_model("cases", "Crime")
    references = set(PersonLink.objects.filter(crime__isnull=True).values_list("crime_reference", flat=True))
    crimes = dict(Crime.objects.filter(reference__in=references).values_list("reference", "pk"))
    for reference, crime_id in crimes.items():
        PersonLink.objects.filter(crime__isnull=True, crime_reference=reference).update(crime_id=crime_id)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_investigations'),
        ('people', '0005_submitted_change'),
    ]

    operations = [
        migrations.AddField(
            model_name='personlink',
            name='crime',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='person_links', to='cases.crime'),
        ),
        # Reversing drops the column, which is all there is to undo.
        migrations.RunPython(point_links_at_crimes, migrations.RunPython.noop),
    ]
