"""A year's programme: creating, changing and publishing it, and its announcement."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.outbox import deliveries_queue, recipient_problem

from ..emails import person_delivery
from ..models import Person, Programme
from ._common import _programme_changed, _require_one_language, _validated_save

logger = logging.getLogger(__name__)


def programme_create(**data) -> Programme:
    programme = Programme()
    _require_one_language(data, programme, "title", _("title"))
    _validated_save(programme, data)
    return programme


@transaction.atomic
def programme_update(programme: Programme, **data) -> Programme:
    _require_one_language(data, programme, "title", _("title"))
    _validated_save(programme, data)
    return programme


@transaction.atomic
def programme_publish(programme: Programme) -> Programme:
    """Make the programme public and announce it, once.

    Its meetings still show only once each is published.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.is_published:
        programme.status = Programme.Status.PUBLISHED
        programme.published_at = timezone.now()
        programme.save(update_fields=["status", "published_at", "updated_at"])
        _programme_changed(programme.year)
        _programme_announce(programme)
    return programme


def _programme_announce(programme: Programme) -> None:
    """Queue the announcement to everyone who agreed to network news.

    An unusable address only leaves its owner out (and is logged for the organisers to
    fix): one bad row in the directory must not block a publication.
    """
    specs = []
    people = Person.objects.filter(accepts_network_news=True).only(
        "first_name", "last_name", "email", "preferred_language"
    )
    for person in people:
        problem = recipient_problem(person.email, person.full_name)
        if problem:
            logger.warning(
                "Programme %s not announced to person %s: %s", programme.year, person.pk, problem
            )
            continue
        specs.append(
            person_delivery(
                person,
                kind="announcement",
                key=f"announce:{programme.pk}:{person.pk}",
                reply_to=settings.DEFAULT_REPLY_TO,
                programme_id=programme.pk,
            )
        )
    deliveries_queue(specs)
