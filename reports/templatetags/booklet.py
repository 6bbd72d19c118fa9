"""What the results page needs to show a `booklet_data.Booklet` in the page's language."""

from django import template

from meetings.models import Organisation

from .. import figures
from ..booklet import content as content_in

register = template.Library()


@register.filter
def content(text, lang: str) -> str:
    """A content field ({"fr", "nl"}) in `lang`, falling back to the other language."""
    return content_in(text, lang)


@register.filter
def country_label(code: str) -> str:
    return figures.country_label(code)


@register.filter
def function_label(code: str) -> str:
    return figures.function_label(code)


@register.filter
def function_group_label(key: str) -> str:
    return figures.function_group_label(key)


@register.filter
def language_label(code: str) -> str:
    return figures.language_label(code)


@register.filter
def organisation_kind_label(kind: str) -> str:
    return str(Organisation.Kind(kind).label) if kind in Organisation.Kind.values else kind
