"""What every workshop write shares: validation, ordering, and the workshop's lock.

Every write that depends on the workshop being open takes the same lock and reads the
state under it (`_lock_open`), in one transaction: a facilitator's "close" lands before
or after it, never between the check and the write.
"""

from django.db.models import Max
from django.utils.translation import gettext as _

from events_site.kit.validation import require_one_language, validated_save

from ..errors import InvalidWorkshopData, WorkshopClosed
from ..models import Question, Workshop


def _save(instance, data) -> None:
    validated_save(instance, data, InvalidWorkshopData)


def _require_title(data: dict, instance, field: str = "title") -> None:
    message = _("Give a title in French or in Dutch.")
    require_one_language(data, instance, field, message, InvalidWorkshopData)


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def _lock(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


def _require_open(workshop: Workshop) -> None:
    if workshop.is_closed:
        raise WorkshopClosed(_("This workshop is closed: it takes no more changes."))


def _lock_open(workshop: Workshop) -> Workshop:
    """The workshop's row, locked and read afresh, if it is open: the caller's copy may
    be older than a facilitator's "close", and the lock holds the close off until the
    write commits. Call it inside the write's transaction."""
    workshop = _lock(workshop)
    _require_open(workshop)
    return workshop


def _check_question(workshop: Workshop, question: Question | None) -> None:
    if question is not None and question.workshop_id != workshop.pk:
        raise InvalidWorkshopData(
            _("This question belongs to another workshop."), {"question": [_("Not found.")]}
        )
