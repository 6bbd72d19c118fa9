"""What hand-written statements are written with: the models' own names.

A few hot paths (a registration's seat, a door scan, an email's mark) run one statement
that the ORM takes longer to build than the database to run. Each app keeps them behind
named primitives in its own module (`meetings/sql.py`, `registrations/sql.py`, `workshops/sql.py`,
`tasks/outbox/sql.py`), written with these helpers from the models' tables and columns
quoted for the database in use, so a renamed field or table changes them too; and their
values are loaded as the ORM would load them.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def column(model, name: str) -> str:
    """The quoted column of the field `name` of `model`."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def columns(model) -> dict[str, str]:
    """Every concrete field's quoted column, by field name."""
    quote = connection.ops.quote_name
    return {field.name: quote(field.column) for field in model._meta.concrete_fields}


def fill(template: str, **names) -> str:
    """`template` with its names filled from the models': a model gives its table, a
    (model, field name) pair its column; a string is put in as it is."""
    values = {}
    for name, value in names.items():
        if isinstance(value, str):
            values[name] = value
        elif isinstance(value, tuple):
            values[name] = column(*value)
        else:
            values[name] = connection.ops.quote_name(value._meta.db_table)
    return template.format(**values)


def constant(value: str) -> str:
    """A string constant of the code (a status, an event's name), written into a
    statement's text as an SQL literal: a value fewer for the driver to send with each
    run. Never for what a request brings, which goes as a parameter."""
    return "'{}'".format(value.replace("'", "''"))


def _converters(model, field) -> list:
    """What the ORM turns a column's value with: the database's converters (SQLite
    returns datetimes as text), then the field's own (a JSONField's `from_db_value`)."""
    column = field.get_col(model._meta.db_table)
    return [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]


def from_db(model, name: str, value):
    """A column's value as the ORM would load it."""
    field = model._meta.get_field(name)
    for converter in _converters(model, field):
        value = converter(value, field, connection)
    return value


def instances(model, names: list[str], statement: str, params: list) -> list:
    """The `model` instances a hand-written `statement` reads, its columns the fields
    `names` (attnames, in the model's field order, as `Model.from_db` reads them), the
    others deferred as `only` leaves them."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return loaded(model, names, cursor.fetchall())


def loaded(model, names: list[str], rows: list[tuple]) -> list:
    """The `model` instances of `rows` read by a hand-written statement (as `instances`)."""
    return [model.from_db(connection.alias, names, row) for row in rows_from_db(model, names, rows)]


def rows_from_db(model, names: list[str], rows: list[tuple]) -> list[tuple]:
    """`rows` of the columns `names` as the ORM would load them, each column's converters
    found once for all the rows (PostgreSQL's driver loads most fields itself)."""
    converting = []
    for position, name in enumerate(names):
        field = model._meta.get_field(name)
        converters = _converters(model, field)
        if converters:
            converting.append((position, field, converters))
    if not converting:
        return rows
    loaded = []
    for row in rows:
        values = list(row)
        for position, field, converters in converting:
            for converter in converters:
                values[position] = converter(values[position], field, connection)
        loaded.append(tuple(values))
    return loaded


@contextmanager
def sent_together() -> Iterator[None]:
    """The statements a block executes go to PostgreSQL at once, and their answers
    come back at once as it ends (psycopg's pipeline mode): one round trip for all.

    Outside a transaction they are one (the protocol's implicit one, committed as the
    block ends), so a lock the first takes is held to the commit with no return to
    Python — to the GIL of a busy process — in between; yet each statement sees what
    was committed before it started, as statements of a transaction do (READ
    COMMITTED), where the parts of one statement all see what was committed before it
    waited for the lock. Read their rows after the block; an error of any of them is
    raised as the block ends, as Django's error, and outside a transaction none of them
    is kept. PostgreSQL only."""
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


# The largest primary key (a BigAutoField is a signed 64-bit integer).
KEY_MAX = 2**63 - 1


def is_key(value: int) -> bool:
    """Whether `value` can be a primary key. Any other names nothing, and SQLite refuses
    to compare a column with it (an OverflowError, where Django's own lookups on one
    value answer "no such row"): a hand-written statement must not be given it."""
    return 0 < value <= KEY_MAX


def key_candidates(ids) -> set[int]:
    """The `ids` that can be primary keys (`is_key`): filter by these, and the others
    come out as unknown."""
    return {key for key in ids if is_key(key)}
