"""What the outbox's tests share: a renderer of their own, a scripted SMTP backend, and a
spec to queue."""

import pytest
from django.core.mail import EmailMultiAlternatives

from tasks import outbox
from tasks.outbox import DeliverySpec
from tests.tasks.backends import ScriptedBackend


@outbox.renderer("test-note")
def _render_note(delivery):
    if delivery.context.get("explode"):
        raise RuntimeError("template is broken")
    return EmailMultiAlternatives(
        subject=f"Note {delivery.context.get('n', '')}", body="Bonjour", to=[delivery.to_email]
    )


@pytest.fixture
def scripted_smtp(settings):
    settings.EMAIL_BACKEND = "tests.tasks.backends.ScriptedBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    ScriptedBackend.script = []
    yield ScriptedBackend.script
    ScriptedBackend.script = []


def _spec(key="note:1", **overrides):
    values = {"kind": "test-note", "key": key, "to_email": "maire@example.fr", "language": "fr"}
    return DeliverySpec(**{**values, **overrides})


def _queue_and_send(django_capture_on_commit_callbacks, *specs):
    with django_capture_on_commit_callbacks(execute=True):
        keys = outbox.deliveries_queue(specs)
    return keys
