"""Dataclasses kept as JSON and read back as they were (`events_site.kit.frozen`)."""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from events_site.kit.frozen import freeze, frozen_digest, frozen_json, thaw


@dataclass
class Line:
    text: str
    counts: list[tuple[str, int]]


@dataclass
class Page:
    title: dict[str, str]
    at: datetime
    day: date
    lines: list[Line]
    best: Line | None
    tags: tuple[str, ...] = ()
    added_later: list[str] = field(default_factory=list)


BRUSSELS = timezone(timedelta(hours=1))


def page() -> Page:
    return Page(
        title={"fr": "Mobilité <b>&", "nl": "Mobiliteit 🚲"},
        at=datetime(2027, 3, 4, 9, 30, tzinfo=BRUSSELS),
        day=date(2027, 3, 4),
        lines=[Line("bus", [("bus", 3), ("train", 1)])],
        best=None,
        tags=("a", "b"),
    )


def test_a_structure_comes_back_equal_through_plain_json():
    text = frozen_json(page())
    back = thaw(Page, json.loads(text))
    assert back == page()
    assert back.at.utcoffset() == timedelta(hours=1)
    assert isinstance(back.lines[0].counts[0], tuple) and isinstance(back.tags, tuple)


def test_a_field_added_since_reads_with_its_default():
    data = freeze(page())
    del data["added_later"]
    assert thaw(Page, data).added_later == []


def test_equal_data_equal_digest_whatever_the_order_of_keys():
    one, other = page(), page()
    other.title = {"nl": "Mobiliteit 🚲", "fr": "Mobilité <b>&"}
    assert frozen_digest(one) == frozen_digest(other)
    other.at = datetime(2027, 3, 4, 8, 30, tzinfo=UTC)
    assert frozen_digest(one) != frozen_digest(other)


def test_what_json_cannot_hold_is_refused():
    with pytest.raises(TypeError):
        freeze({"when": object()})
