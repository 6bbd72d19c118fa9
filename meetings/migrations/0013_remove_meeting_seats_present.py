"""The door's counter lives in `registrations.DoorCount` from `registrations.0008` on,
which copied each meeting's count."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0012_erasure_answers"),
        ("registrations", "0008_doorcount"),
    ]

    operations = [
        migrations.RemoveField(model_name="meeting", name="seats_present"),
    ]
