"""Booklet and document builds as organisers see them: which, when, and why one failed."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from events_site.kit.admin import ReadOnlyAdminMixin

from .models import BookletApprovalJob, BookletJob, DocumentJob


@admin.register(BookletJob)
class BookletJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: builds are asked for on the meeting's booklet page, never edited."""

    list_display = (
        "meeting",
        "language",
        "audience",
        "status",
        "progress",
        "created_at",
        "finished_at",
        "download",
    )
    list_filter = (("meeting", admin.RelatedOnlyFieldListFilter), "language", "audience", "status")
    list_select_related = ("meeting",)
    fields = (
        "meeting",
        "language",
        "audience",
        "status",
        "progress",
        "error",
        "inputs_hash",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "download",
    )
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, job: BookletJob):
        if job.status != BookletJob.Status.DONE:
            return self.get_empty_value_display()
        url = reverse("reports:booklet_download", args=[job.meeting_id, job.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))


@admin.register(DocumentJob)
class DocumentJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: documents are asked for on their own page or through the API."""

    list_display = (
        "kind",
        "meeting",
        "programme",
        "language",
        "status",
        "done",
        "total",
        "created_at",
    )
    list_filter = ("kind", "status")
    list_select_related = ("meeting", "programme")
    fields = (
        "kind",
        "meeting",
        "programme",
        "workshop",
        "language",
        "status",
        "done",
        "total",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields


@admin.register(BookletApprovalJob)
class BookletApprovalJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: an approval's files are built when it is approved, and a failed build
    is started again from the booklet's review page."""

    list_display = ("approval", "meeting", "status", "progress", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("approval__meeting",)
    fields = (
        "approval",
        "status",
        "progress",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description=_("meeting"), ordering="approval__meeting")
    def meeting(self, job: BookletApprovalJob):
        return job.approval.meeting
