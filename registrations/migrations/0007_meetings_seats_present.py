"""Each meeting's door counter, counted once from its check-ins; the services keep it
from then on."""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def seats_present_count(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    Registration = apps.get_model("registrations", "Registration")
    present = (
        Registration.objects.filter(
            meeting=OuterRef("pk"), status="confirmed", checkin__isnull=False
        )
        .order_by()
        .values("meeting")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Meeting.objects.using(schema_editor.connection.alias).update(
        seats_present=Coalesce(Subquery(present, output_field=IntegerField()), Value(0))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0011_meeting_seats_present"),
        ("registrations", "0006_registration_search_text"),
    ]

    operations = [migrations.RunPython(seats_present_count, migrations.RunPython.noop)]
