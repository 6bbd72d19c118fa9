"""The Celery application: Redis as broker when REDIS_URL is set, eager otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")

app = Celery("events_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
