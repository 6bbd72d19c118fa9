"""The one way services save a model object: every field and constraint checked first.

A bad request then leaves nothing half-written, and the error names each field with a
message a person can act on (the API answers it as a 422).
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .errors import Invalid


def validated_save(
    instance: models.Model, data: Mapping[str, Any], error: type[Invalid] = Invalid
) -> None:
    """Apply `data`, run every model and constraint check, then save; raise `error`."""
    for name, value in data.items():
        setattr(instance, name, value)
    try:
        validated(instance, error)
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise error(
            _("This change conflicts with data saved meanwhile; reload and try again."),
            {"__all__": [str(exc)]},
        ) from exc


def validated(
    instance: models.Model, error: type[Invalid] = Invalid, exclude: list[str] | None = None
) -> None:
    """Run every model and constraint check but those of `exclude`; raise `error`."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = next(iter(errors.values()))[0]
        raise error(first, errors) from exc


def require_one_language(
    data: Mapping[str, Any],
    instance: models.Model,
    field: str,
    message: str,
    error: type[Invalid] = Invalid,
) -> None:
    """Content is bilingual, and either language alone is enough (the other falls back to
    it), but not neither: `field` after `data` is applied, in French or Dutch."""
    values = [
        data.get(f"{field}_{lang}", getattr(instance, f"{field}_{lang}", ""))
        for lang in ("fr", "nl")
    ]
    if not any((value or "").strip() for value in values):
        raise error(
            message, {f"{field}_fr": [_("This field is required in at least one language.")]}
        )
