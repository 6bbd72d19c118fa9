"""The door's counter on the meeting row (filled by `registrations.0007`); a database
default, so that a row written by an earlier migration's code has one."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0010_erasure_through_the_api'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='seats_present',
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False, verbose_name='present'),
        ),
    ]
