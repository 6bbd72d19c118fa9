"""French and Dutch versions of the workshop content (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Orientation, PollOption, Question, Round, Workshop


@register(Workshop)
class WorkshopTranslation(TranslationOptions):
    fields = ("title", "synthesis")
    required_languages = ()


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ()


@register(Round)
class RoundTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ()


@register(Orientation)
class OrientationTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ()


@register(PollOption)
class PollOptionTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ()
