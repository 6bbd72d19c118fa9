from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        # Register the jobs in every process, not only in workers, so that apps can
        # enqueue them by name (tasks.outbox.enqueue_on_commit).
        from . import tasks  # noqa: F401
