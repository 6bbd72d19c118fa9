"""The orientations a workshop's post-its are sorted into."""

from django.db import transaction

from ..models import Orientation, Workshop
from ._common import _lock_open, _next_order, _require_title, _save
from .embeddings import workshop_texts_embed_later


@transaction.atomic
def orientation_create(workshop: Workshop, **data) -> Orientation:
    workshop = _lock_open(workshop)
    orientation = Orientation(workshop=workshop, order=_next_order(workshop.orientations.all()))
    _require_title(data, orientation)
    _save(orientation, data)
    workshop_texts_embed_later(workshop.pk)
    return orientation


@transaction.atomic
def orientation_update(orientation: Orientation, **data) -> Orientation:
    _lock_open(orientation.workshop)
    _require_title(data, orientation)
    _save(orientation, data)
    workshop_texts_embed_later(orientation.workshop_id)
    return orientation


@transaction.atomic
def orientation_delete(orientation: Orientation) -> None:
    """Its post-its go back to "not sorted"; none is lost."""
    _lock_open(orientation.workshop)
    orientation.delete()
