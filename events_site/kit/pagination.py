"""The one shape of every list the API answers: `{count, next, results}`, a page at a time.

ninja's own pagination answers `{items, count}` with no link to the next page, and an
integrator's sync script wants to follow `next` until it is null. Offsets rather than a
cursor: every list is ordered by a unique key, and a network's directory is a few
thousand rows.
"""

import functools
import operator

from django.conf import settings
from django.db.models import Q, QuerySet
from ninja import Field, Schema
from pydantic import create_model

from .sql import KEY_MAX

PAGE_DEFAULT = 50
PAGE_MAX = 200


class PageQuery(Schema):
    """`limit` and `offset`; each list's filters extend it."""

    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="items per page")
    offset: int = Field(0, ge=0, le=KEY_MAX, description="items skipped, from the first")

    def filters(self) -> dict:
        """The list's own filters, without the page's `limit` and `offset`."""
        return self.dict(exclude={"limit", "offset"})


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The page schema of a list of `item`, under its own name in the OpenAPI document."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(..., description="items matching the filters, on every page")),
        next=(
            str | None,
            Field(..., description="the absolute address of the next page; null on the last"),
        ),
        results=(list[item], ...),
    )


def page(request, items: QuerySet, query: PageQuery) -> dict:
    """One page of `items` (ordered by the caller on a unique key, so that pages neither
    skip nor repeat a row): the count and the slice, two queries, plus the prefetches of
    `items`."""
    count = items.count()
    end = query.offset + query.limit
    following = None
    if end < count:
        params = request.GET.copy()
        params["offset"] = str(end)
        params["limit"] = str(query.limit)
        following = f"{settings.SITE_URL}{request.path}?{params.urlencode()}"
    results = list(items[query.offset : end]) if query.offset < count else []
    return {"count": count, "next": following, "results": results}


def narrowed(items: QuerySet, *, q: str = "", q_fields: tuple[str, ...] = (), **lookups):
    """`items` where `q` is contained (whatever the case) in one of `q_fields`, and each
    lookup given a value holds: a filter left empty narrows nothing."""
    if q:
        items = items.filter(
            functools.reduce(operator.or_, (Q(**{f"{field}__icontains": q}) for field in q_fields))
        )
    given = {lookup: value for lookup, value in lookups.items() if value not in (None, "")}
    return items.filter(**given) if given else items
