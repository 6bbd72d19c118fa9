"""French and Dutch versions of the content fields (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import AgendaItem, Document, Meeting, MeetingPicture, Programme, Theme


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("title", "introduction")
    required_languages = ()


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title", "description", "context", "ambitions", "principles", "next_steps")
    required_languages = ()


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ()


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ()


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ()


@register(MeetingPicture)
class MeetingPictureTranslation(TranslationOptions):
    fields = ("caption",)
    required_languages = ()
