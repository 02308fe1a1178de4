from django.db import migrations, models

# On PostgreSQL the staging table is insert-only for everyone but the sealer, which marks its
# transaction with SET LOCAL firstcontact.audit_sealing = 'on' before deleting what it chained.
CREATE = """
CREATE OR REPLACE FUNCTION audit_staged_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('firstcontact.audit_sealing', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'staged audit entries wait to be chained: % refused on audit_stagedentry', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_stagedentry_guard
    BEFORE UPDATE OR DELETE ON audit_stagedentry
    FOR EACH ROW EXECUTE FUNCTION audit_staged_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_stagedentry_guard ON audit_stagedentry;
DROP FUNCTION IF EXISTS audit_staged_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_actor_label_index")]

    operations = [
        migrations.CreateModel(
            name="StagedEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField()),
                ("action", models.CharField(choices=[("collection", "Collection"), ("alteration", "Alteration"), ("consultation", "Consultation"), ("disclosure", "Disclosure"), ("combination", "Combination"), ("erasure", "Erasure")], max_length=20)),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("actor_label", models.CharField(max_length=150)),
                ("subject_type", models.CharField(max_length=60)),
                ("subject_id", models.CharField(max_length=64)),
                ("person_id", models.CharField(blank=True, max_length=64)),
                ("reason", models.TextField(blank=True)),
                ("recipients", models.JSONField(blank=True, default=list)),
                ("detail", models.JSONField(blank=True, default=dict)),
                ("source", models.CharField(default="web", max_length=20)),
                ("request_id", models.CharField(blank=True, max_length=64)),
            ],
            options={"ordering": ["id"], "verbose_name_plural": "staged audit entries"},
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"default_manager_name": "objects", "ordering": ["seq"], "verbose_name_plural": "audit entries"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
