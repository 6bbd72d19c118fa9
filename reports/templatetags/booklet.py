"""What the results page needs to show a `booklet_data.Booklet` in the page's language."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from workshops import cloud

from .. import figures
from ..booklet import content as content_in

register = template.Library()


# A content field ({"fr", "nl"}) in a language, and the labels the key figures already
# have, under the names the template uses.
register.filter("content", content_in)
register.filter("country_label", figures.country_label)
register.filter("function_label", figures.function_label)
register.filter("function_group_label", figures.function_group_label)
register.filter("language_label", figures.language_label)
register.filter("organisation_kind_label", figures.organisation_kind_label)


@register.filter
def cloud_svg(words, lang: str):
    """A word cloud of the booklet (`booklet_data.WordCloud`) as inline SVG, drawn as on
    the projector; `workshops.cloud.svg` escapes every word."""
    title = _("Word cloud: %(title)s") % {"title": content_in(words.title, lang)}
    return mark_safe(cloud.svg(words.words, title))  # noqa: S308
