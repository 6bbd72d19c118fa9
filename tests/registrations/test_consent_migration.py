"""Registrations made before consents were recorded get theirs, as given then."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The directory as it was then too: its later columns (a meeting's ambitions, say) have no
# default in the database, so a meeting written through the old model needs the old table.
BEFORE = [("registrations", "0003_consents"), ("meetings", "0008_membership_and_documents")]
AFTER = [("registrations", "0004_consents_of_earlier_registrations")]


@pytest.fixture
def back_to_the_latest():
    """Whatever migration the test stops at, the next tests find every table as it is now
    (later migrations of the app included)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_earlier_registrations_get_their_privacy_and_contact_consents(back_to_the_latest):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    meeting = apps.get_model("meetings", "Meeting").objects.create(
        programme=apps.get_model("meetings", "Programme").objects.create(year=2026, title="P"),
        title="M",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        venue_name="V",
        venue_city="Lille",
        venue_country="FR",
    )
    registration = apps.get_model("registrations", "Registration")
    given = timezone.now() - timedelta(days=30)
    common = {"meeting": meeting, "function": "mayor", "organisation_name": "Lille"}
    shares = registration.objects.create(
        email="a@example.org", share_contact=True, privacy_consent_at=given, **common
    )
    keeps = registration.objects.create(
        email="b@example.org", share_contact=False, privacy_consent_at=given, **common
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    consent = executor.loader.project_state(AFTER).apps.get_model("registrations", "Consent")
    rows = sorted(consent.objects.values_list("registration_id", "kind", "version", "given_at"))
    assert rows == [
        (shares.pk, "contact_sharing", "unrecorded", given),
        (shares.pk, "privacy_notice", "unrecorded", given),
        (keeps.pk, "privacy_notice", "unrecorded", given),
    ]
