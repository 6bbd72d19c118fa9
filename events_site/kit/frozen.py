"""Dataclasses to JSON and back, for a structure that must be kept exactly as it was.

An approved document is kept as the data it was made from, so that it can be shown and
printed again long after the database has moved on. The JSON is plain (no type tags):
reading it back follows the dataclass's own annotations, so that a tuple comes back a
tuple, a datetime a timezone-aware datetime and a nested dataclass its class. A field
added to the dataclass later, with a default, reads an older document with that default.
"""

import dataclasses
import hashlib
import json
import types
import typing
from datetime import date, datetime, time
from functools import cache


def freeze(value) -> typing.Any:
    """`value` (dataclasses, lists, tuples, dicts with string keys, dates, plain
    values) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: freeze(getattr(value, field.name)) for field in _fields(type(value))}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [freeze(item) for item in value]
    if isinstance(value, dict):
        return {str(key): freeze(item) for key, item in value.items()}
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"{type(value).__name__} cannot be frozen")


def thaw(kind, data):
    """`data` (as `freeze` made it) read back as `kind`, a type annotation."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(kind) if option is not type(None)]
        return thaw(options[0], data)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(
            **{
                field.name: thaw(hints[field.name], data[field.name])
                for field in _fields(kind)
                if field.name in data
            }
        )
    if origin in (list, set, frozenset):
        (item,) = typing.get_args(kind) or (typing.Any,)
        return origin(thaw(item, value) for value in data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(thaw(args[0], value) for value in data)
        return tuple(thaw(arg, value) for arg, value in zip(args, data, strict=True))
    if origin is dict:
        _key, item = typing.get_args(kind) or (str, typing.Any)
        return {key: thaw(item, value) for key, value in data.items()}
    if kind in (datetime, date, time):
        return kind.fromisoformat(data)
    return data


def frozen_json(value) -> str:
    """The one text of `value`: keys sorted, so that equal data gives equal text."""
    return json.dumps(freeze(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def frozen_digest(value) -> str:
    """A SHA-256 of `frozen_json(value)`: equal digests, equal data."""
    return hashlib.sha256(frozen_json(value).encode()).hexdigest()


@cache
def _fields(kind) -> tuple[dataclasses.Field, ...]:
    return tuple(field for field in dataclasses.fields(kind) if field.init)


@cache
def _hints(kind) -> dict:
    return typing.get_type_hints(kind)
