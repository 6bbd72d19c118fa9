"""Registrations made before consents were recorded: their privacy notice and contact
sharing, given when they registered, for a text whose version was not recorded."""

from django.db import migrations

UNRECORDED = "unrecorded"


def record(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    Consent = apps.get_model("registrations", "Consent")
    consents = []
    for pk, given_at, shares in Registration.objects.values_list(
        "pk", "privacy_consent_at", "share_contact"
    ).iterator():
        consents.append(
            Consent(kind="privacy_notice", version=UNRECORDED, registration_id=pk, given_at=given_at)
        )
        if shares:
            consents.append(
                Consent(
                    kind="contact_sharing",
                    version=UNRECORDED,
                    registration_id=pk,
                    given_at=given_at,
                )
            )
    Consent.objects.bulk_create(consents, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0003_consents")]

    operations = [migrations.RunPython(record, migrations.RunPython.noop)]
