"""The door's search text, folded once per registration, and its trigram index on
PostgreSQL (the other databases search it without an index)."""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations, models

from events_site.kit.text import fold

BATCH = 2000
INDEX = "registration_search_trgm"


def search_text_fill(apps, schema_editor):
    """Every existing row, in batches: the same text `Registration.save` writes."""
    Registration = apps.get_model("registrations", "Registration")
    rows = Registration.objects.using(schema_editor.connection.alias).select_related(
        "organisation"
    )
    batch = []
    for registration in rows.only(
        "first_name", "last_name", "email", "organisation_name", "organisation__name"
    ).iterator(chunk_size=BATCH):
        organisation = (
            registration.organisation.name
            if registration.organisation_id
            else registration.organisation_name
        )
        registration.search_text = fold(
            " ".join(
                (registration.first_name, registration.last_name, organisation, registration.email)
            )
        )
        batch.append(registration)
        if len(batch) == BATCH:
            Registration.objects.bulk_update(batch, ["search_text"])
            batch = []
    Registration.objects.bulk_update(batch, ["search_text"])


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("registrations_registration")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} "
        "USING gin (meeting_id, search_text gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class OnPostgres:
    """Django's extension operations skip other databases going forwards, not backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Trigrams(OnPostgres, TrigramExtension):
    pass


class BtreeGin(OnPostgres, BtreeGinExtension):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0005_registration_anonymised_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(search_text_fill, migrations.RunPython.noop),
        # Each does nothing on a database other than PostgreSQL.
        Trigrams(),
        # The index holds the meeting too (a GIN over a plain column needs btree_gin): a
        # door searches its own meeting, which may be most of the table.
        BtreeGin(),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
