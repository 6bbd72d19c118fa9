"""The door's counter in shares (`DoorCount`), so that concurrent scans do not queue on
the meeting row; each meeting's count so far becomes its first share
(`meetings.0013` then drops `Meeting.seats_present`)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Sum


def shares_from_meetings(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    DoorCount = apps.get_model("registrations", "DoorCount")
    alias = schema_editor.connection.alias
    DoorCount.objects.using(alias).bulk_create(
        DoorCount(meeting_id=meeting_id, slot=0, present=present)
        for meeting_id, present in Meeting.objects.using(alias)
        .filter(seats_present__gt=0)
        .values_list("pk", "seats_present")
        .iterator()
    )


def shares_to_meetings(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    DoorCount = apps.get_model("registrations", "DoorCount")
    alias = schema_editor.connection.alias
    totals = DoorCount.objects.using(alias).values("meeting").annotate(total=Sum("present"))
    for row in totals.iterator():
        Meeting.objects.using(alias).filter(pk=row["meeting"]).update(seats_present=row["total"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0012_erasure_answers"),
        ("registrations", "0007_meetings_seats_present"),
    ]

    operations = [
        migrations.CreateModel(
            name="DoorCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slot", models.PositiveSmallIntegerField()),
                ("present", models.IntegerField(default=0)),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="door_counts",
                        to="meetings.meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "door count",
                "verbose_name_plural": "door counts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("meeting", "slot"), name="door_count_one_per_slot"
                    )
                ],
            },
        ),
        migrations.RunPython(shares_from_meetings, shares_to_meetings),
    ]
