"""A workshop's tables and the tokens of their QR codes."""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from events_site.kit.memo import BoundedMemo

from .. import selectors
from ..errors import InvalidWorkshopData
from ..models import Table, Workshop
from ._common import _lock_open, _save


@transaction.atomic
def table_create(workshop: Workshop, name: str) -> Table:
    """Under the workshop's lock, so that two facilitators adding tables at once number
    them one after the other instead of meeting at the unique name."""
    workshop = _lock_open(workshop)
    table = Table(workshop=workshop)
    _save(table, {"name": name.strip()})
    return table


@transaction.atomic
def tables_create(workshop: Workshop, count: int) -> list[Table]:
    """Number the tables on from the last one: "Table 1", "Table 2"…"""
    if not 1 <= count <= 50:
        raise InvalidWorkshopData(
            _("Create between 1 and 50 tables at once."), {"count": [_("Out of range.")]}
        )
    workshop = _lock_open(workshop)
    existing = workshop.tables.count()
    return [
        table_create(workshop, _("Table %(number)s") % {"number": existing + i + 1})
        for i in range(count)
    ]


@transaction.atomic
def table_token_renew(table: Table) -> Table:
    """A new QR code for the table: the old one (a photo shared too widely) stops working."""
    _lock_open(table.workshop)
    old = Table.objects.values_list("token", flat=True).get(pk=table.pk)
    table.token = Table._meta.get_field("token").default()
    table.save(update_fields=["token"])
    transaction.on_commit(lambda: table_token_forget(old))
    return table


# Where the tokens' workshops are cached: a phone's poll remembers them in its process
# (`services.timer`, a memory Redis keeps true for each key under this prefix).
TABLE_KEY_PREFIX = "table-token:"


# The tokens' keys, by token: every phone's poll names its token's key, once a second,
# and hashing it each time cost a tenth of what the poll adds to /healthz in its process.
_token_keys = BoundedMemo(most=10_000)


def _token_key(token: str) -> str:
    key = _token_keys.get(token)
    if key is None:
        key = _token_keys.remember(
            token, f"{TABLE_KEY_PREFIX}{hashlib.sha256(token.encode()).hexdigest()}"
        )
    return key


def table_workshop_id(token: str) -> int:
    """The workshop of a table token, cached: every poll of a phone asks it."""
    key = _token_key(token)
    workshop_id = cache.get(key)
    if workshop_id is None:
        workshop_id = (
            Table.objects.filter(token=token)
            .values_list("workshop_id", flat=True)
            .order_by()
            .first()
            if token
            else None
        )
        if workshop_id is None:
            raise selectors.unknown_table()
        cache.set(key, workshop_id, 60)
    return workshop_id


def table_token_forget(token: str) -> None:
    cache.delete(_token_key(token))
