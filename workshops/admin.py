"""Workshops in the back office: an overview that leads to the console.

Workshops are run from the facilitator's console (or the API), where every change goes
through `workshops.services` and the timer's lock; the admin lists them, with the
links an organiser needs on the day, and takes only their strong ideas for the booklet.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.kit.admin import ReadOnlyAdminMixin
from meetings.admin import PersonAdmin
from meetings.models import Erasure, Person

from . import selectors
from .models import Contribution, PollOption, WordEntry, Workshop
from .services.privacy import subject_erase
from .services.workshops import workshop_synthesis_set
from .subject import subject_of_person


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title", "meeting", "room", "status", "postits", "links")
    list_filter = ("status", "meeting__programme")
    list_select_related = ("meeting",)
    search_fields = ("title_fr", "title_nl", "meeting__title_fr", "meeting__title_nl")
    fields = ("title", "meeting", "room", "status", "synthesis_fr", "synthesis_nl")
    readonly_fields = ("title", "meeting", "room", "status")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Only the strong ideas are written here, through their service."""
        workshop_synthesis_set(
            obj,
            synthesis_fr=form.cleaned_data["synthesis_fr"] or "",
            synthesis_nl=form.cleaned_data["synthesis_nl"] or "",
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(postit_count=selectors.visible_postit_count())

    @admin.display(description=_("post-its"), ordering="postit_count")
    def postits(self, obj):
        return obj.postit_count

    @admin.display(description=_("pages"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("facilitate:console", args=[obj.pk]),
            _("console"),
            reverse("screen:projector", args=[obj.pk]),
            _("projector"),
            reverse("seating:plan", args=[obj.pk]),
            _("tables and seating"),
        )


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("text", "workshop", "orientation", "source", "hidden", "created_at")
    list_filter = ("source", "hidden", "workshop__meeting")
    list_select_related = ("workshop", "orientation")
    search_fields = ("text", "objective", "author")


@admin.register(PollOption)
class PollOptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A poll's options with their answers counted; written from the console."""

    list_display = ("label", "round", "answer_count")
    list_filter = ("round__workshop__meeting",)
    list_select_related = ("round",)
    search_fields = ("label_fr", "label_nl")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_total=Count("answers"))

    @admin.display(description=_("answers"), ordering="answer_total")
    def answer_count(self, obj):
        return obj.answer_total


@admin.register(WordEntry)
class WordEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The words phones sent to a word cloud; hidden from the console."""

    list_display = ("text", "round", "hidden", "created_at")
    list_filter = ("hidden", "round__workshop__meeting")
    list_select_related = ("round",)
    search_fields = ("text",)


class PersonErasureAdmin(PersonAdmin):
    """The directory's admin, with the erasure of a person who asked for it by post
    (the person themselves erase from `/me/data/`). It lives here because the erasure
    spans the post-its; the directory's own admin cannot see them."""

    actions = ("erase",)

    @admin.action(description=_("Erase this person's data"), permissions=["change"])
    def erase(self, request, queryset):
        """Asks once more, listing who, then erases each person in its own transaction."""
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/meetings/person/erase_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": _("Erase these people's data?"),
                    "people": queryset,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for person in queryset:
            subject_erase(
                subject_of_person(person), by=request.user, channel=Erasure.Channel.ORGANISER
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d person's data was erased.",
                "%(count)d people's data was erased.",
                len(queryset),
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )
        return None


admin.site.unregister(Person)
admin.site.register(Person, PersonErasureAdmin)
