"""The door counter's index on its meeting alone dropped: the unique constraint's index,
(meeting, slot), serves a meeting's lookups (the counter's sum, a meeting's deletion),
and a scan's upsert opened both for nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0013_remove_meeting_seats_present"),
        ("registrations", "0008_doorcount"),
    ]

    operations = [
        migrations.AlterField(
            model_name="doorcount",
            name="meeting",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="door_counts",
                to="meetings.meeting",
            ),
        ),
    ]
