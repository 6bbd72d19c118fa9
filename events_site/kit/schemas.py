"""Building blocks of the API's schemas that every app shares."""

import enum
import re
from datetime import datetime
from typing import Annotated, TypeVar

from django.db.models import Model, TextChoices
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from .sql import KEY_MAX

LIST_MAX = 10_000
"""The most items any list in a request may hold.

Lists of ids become `IN (…)` parameters, and one statement takes at most 65 535 of them on
PostgreSQL (32 766 on SQLite): beyond that the request failed with a 500. Two such lists
can meet in one statement (invitations' people and organisations), so each stays well
under half of the smaller limit; a network's directory is a few thousand people.
"""

Item = TypeVar("Item")

# A list the API takes: its bound is checked before any query, and shown in /api/docs.
ListOf = Annotated[list[Item], Field(max_length=LIST_MAX)]

# A flag of a JSON body: `true` or `false`, as the document says. pydantic's lax mode read
# "yes", "on", 1 and "0" as flags too, which no integrator's schema-built client sends and
# which hid mistakes ("false" typed as a string meant true in other tools). Forms and
# queries, which carry only text, keep the lax `bool`.
Flag = Annotated[bool, Strict()]

# A whole number of a JSON body: 5, not "5" nor 5.0, for the same reason.
Whole = Annotated[int, Strict()]

# An id a query names: beyond a primary key's range it names nothing, and the database
# cannot compare a column with it (SQLite answered a 500), so the document bounds it.
Key = Annotated[int, Field(ge=1, le=KEY_MAX)]

# A programme's year a query names: a date's year, which the database can compare.
Year = Annotated[int, Field(ge=1, le=9999)]

_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")


def _not_a_number(value):
    """pydantic reads a number as seconds since 1970, so `updated_since=0.5` synchronised
    everything since 1970 without a word: the document says an ISO 8601 time, and only
    that is read."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError(
            "datetime_type",
            _("an ISO 8601 date and time is expected, such as 2027-03-12T09:30:00+01:00"),
        )
    return value


# A time the API takes as a filter: ISO 8601 only.
Instant = Annotated[datetime, BeforeValidator(_not_a_number)]


class ErrorOut(Schema):
    """Every refusal's body, from the services' errors and from ninja's own alike
    (`events_site/api.py`)."""

    detail: str = Field(..., description="what went wrong, in the language of the request")
    errors: dict[str, list[str]] | None = Field(None, description="messages by field")


def api_choices(
    choices: type[TextChoices], name: str, without: tuple[str, ...] = ()
) -> type[enum.StrEnum]:
    """A model's choices under a name of their own in the OpenAPI document, less those
    `without` (what a route never takes, so that its document does not offer it).

    The document names an enum's component after its class, and models' choices are all
    called `Status` or `Kind`: two of them in one document overwrite each other, and the
    document then describes one field with the other's values. The values stay the
    model's, and each member is a `str`, as the ORM and the services expect."""
    return enum.StrEnum(
        name, {member.name: member.value for member in choices if member not in without}
    )


def field_choices(model: type[Model], field_name: str, name: str) -> type[enum.StrEnum]:
    """The values a model's field accepts, as an enum of the OpenAPI document.

    For the fields whose choices are not a `TextChoices` of their own: languages (from
    the settings), countries (django_countries' codes), time zones. They are read from
    the field, so the document, the validation and the database agree without a list
    written twice; a field that may be blank also takes "" (member `NONE`). Sorted, as
    countries come in the order of their names in the active language, and the document
    is the same in every language."""
    field = model._meta.get_field(field_name)
    values = sorted(str(value) for value, _label in field.flatchoices)
    if field.blank and "" not in values:
        values.append("")
    return enum.StrEnum(name, {value.upper() or "NONE": value for value in values})


def upper_if_text(value):
    """For codes written in capitals (countries) that people type in either case."""
    return value.upper() if isinstance(value, str) else value
