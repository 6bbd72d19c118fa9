"""Input types that every app's API shares."""

from typing import Annotated, TypeVar

from pydantic import Field

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
