"""Workshops in the back office: a read-only overview that leads to the console.

Workshops are run from the facilitator's console (or the API), where every change goes
through `workshops.services` and the timer's lock; the admin only lists them, with the
links an organiser needs on the day.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from events_site.kit.admin import ReadOnlyAdminMixin

from . import selectors
from .models import Contribution, Workshop


@admin.register(Workshop)
class WorkshopAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "meeting", "room", "status", "postits", "links")
    list_filter = ("status", "meeting__programme")
    list_select_related = ("meeting",)
    search_fields = ("title_fr", "title_nl", "meeting__title_fr", "meeting__title_nl")

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
