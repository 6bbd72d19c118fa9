from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Emails")

    def ready(self):
        # Register the jobs in every process, not only in workers, so that apps can
        # enqueue them by name (tasks.outbox.enqueue_on_commit).
        from . import tasks  # noqa: F401
        from .webhooks import emails  # noqa: F401 - the email to a switched-off webhook's owner
