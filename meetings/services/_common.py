"""What the programme's writes share: validation, and rebuilding the programme's caches.

Each service runs in one transaction and validates the whole object (fields and
database constraints) before saving, so a bad request leaves nothing half-written.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from events_site.kit.validation import require_one_language, validated_save
from tasks.outbox import enqueue_on_commit

from ..errors import InvalidData


def _validated_save(instance: models.Model, data: Mapping[str, Any]) -> None:
    validated_save(instance, data, InvalidData)


def _require_one_language(data: Mapping[str, Any], instance, field: str, label: str) -> None:
    message = _("Give the %(label)s in French or in Dutch.") % {"label": label}
    require_one_language(data, instance, field, message, InvalidData)


# Let a burst of changes (a bulk action, an import) settle before caches are rebuilt.
WARM_DELAY_S = 3


def _programme_changed(year: int) -> None:
    enqueue_on_commit("tasks.programme_caches_warm", year, countdown=WARM_DELAY_S)
