from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_organisers_group(sender, using="default", **kwargs):
    """The organisers group with every permission on programme data.

    Done after each migrate rather than in a data migration, because permissions
    only exist once post_migrate has created them on a fresh database. It runs after
    every app's post_migrate, not only this one's: each app's permissions are created
    by its own signal, so on a fresh database only the last call sees them all.
    """
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.using(using).get_or_create(name=settings.ORGANISERS_GROUP)
    group.permissions.add(
        *Permission.objects.using(using)
        .filter(
            content_type__app_label__in=[
                "meetings",
                "registrations",
                "workshops",
                "reports",
                "tasks",
            ]
        )
        .exclude(content_type__model="apikey")
    )


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Cache receivers and email renderers must exist in every process, web and worker.
        from . import emails, signals  # noqa: F401

        post_migrate.connect(ensure_organisers_group, dispatch_uid="ensure_organisers_group")
