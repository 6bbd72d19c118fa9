"""What the webhooks' tests share: a receiver on loopback, allowed for them, and an
organiser's webhook pointing at it."""

import pytest
from django.contrib.auth.models import Group, User

from tasks.models import Webhook
from tasks.webhooks.services import webhook_create
from tests.tasks.webhooks.receiver import Receiver


@pytest.fixture
def loopback(settings):
    """Loopback is inside the server's network: refused, but for these tests."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]


@pytest.fixture
def receiver(loopback):
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def webhook(organiser, receiver):
    webhook = webhook_create(organiser, url=receiver.url, events=Webhook.Event.values)
    receiver.secret = webhook.secret
    return webhook


@pytest.fixture
def other_organiser(db):
    user = User.objects.create_user("other", "other@example.org", "pw-other-1", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="organisers")[0])
    return user
