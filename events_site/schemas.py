"""Building blocks of the API's schemas shared by the apps."""

import enum

from django.db.models import TextChoices


def api_choices(choices: type[TextChoices], name: str) -> type[enum.StrEnum]:
    """A model's choices under a name of their own in the OpenAPI document.

    The document names an enum's component after its class, and models' choices are all
    called `Status` or `Kind`: two of them in one document overwrite each other, and the
    document then describes one field with the other's values. The values stay the
    model's, and each member is a `str`, as the ORM and the services expect."""
    return enum.StrEnum(name, {member.name: member.value for member in choices})
