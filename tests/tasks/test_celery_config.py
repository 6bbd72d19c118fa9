"""What the outbox's guarantees rest on in Celery's configuration, pinned: a job is
acknowledged only once done, handed back when its worker dies, not handed out twice
while it waits for its retry, and beat runs the sweep and the reminders."""

import json
import os
import subprocess
import sys
from datetime import timedelta

from django.conf import settings

from events_site.celery import app
from tasks.outbox.send import retry_delay


def test_the_delivery_job_is_acknowledged_after_it_ran_and_rejected_when_its_worker_dies():
    deliver = app.tasks["tasks.deliver"]

    assert deliver.acks_late is True
    assert deliver.reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1, "a worker holds one batch at a time"


def test_no_retry_waits_longer_than_the_broker_keeps_its_job_invisible():
    longest_retry = max(retry_delay(attempts) for attempts in range(1, 40))

    assert longest_retry <= settings.OUTBOX_RETRY_MAX_S
    assert app.conf.broker_transport_options["visibility_timeout"] > longest_retry


def test_the_visibility_timeout_follows_the_longest_retry_it_is_set_to():
    # Settings are read once per process: a process of its own, with a day-long retry.
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "events_site.settings",
        "OUTBOX_RETRY_MAX_S": str(24 * 3600),
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    visibility = json.loads(result.stdout.strip().splitlines()[-1])["visibility_timeout"]
    assert visibility > 24 * 3600


def test_beat_sweeps_the_outbox_and_queues_the_reminders():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}

    assert set(schedule) >= {"tasks.outbox_sweep", "tasks.registration_reminders"}
    assert all(task in app.tasks for task in schedule), "each entry names a real job"
    # A row left queued for OUTBOX_REQUEUE_AFTER_S goes out at the next sweep after it.
    assert schedule["tasks.outbox_sweep"] <= settings.OUTBOX_REQUEUE_AFTER_S
    # The 1-day reminder must not leave hours late: the job runs at least hourly.
    assert timedelta(seconds=schedule["tasks.registration_reminders"]) <= timedelta(hours=1)
