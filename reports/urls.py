"""The printable outputs' pages: brochure, meeting documents, booklet and results."""

from django.urls import include, path, re_path

from . import document_views, review_views, views
from .document_kinds import KINDS

report_patterns = [
    path("programme/<int:year>.pdf", views.programme_brochure, name="programme_brochure"),
    *(
        path(
            f"meetings/<int:meeting_id>/{KINDS[kind].filename}",
            views.meeting_document,
            {"document": name},
            name,
        )
        for name, kind in views.MEETING_DOCUMENTS.items()
    ),
    path("meetings/<int:meeting_id>/booklet/", views.meeting_booklet, name="meeting_booklet"),
    path(
        "meetings/<int:meeting_id>/booklet/<int:job_id>.pdf",
        views.booklet_download,
        name="booklet_download",
    ),
    re_path(
        r"^meetings/(?P<meeting_id>[0-9]+)/booklet/(?P<job_id>[0-9]+)\.(?P<kind>docx|odt)$",
        views.booklet_download,
        name="booklet_copy_download",
    ),
    path("meetings/<int:meeting_id>/results/", views.meeting_results, name="meeting_results"),
    path(
        "meetings/<int:meeting_id>/results/booklet-<str:language>.pdf",
        review_views.results_booklet,
        name="results_booklet",
    ),
    path(
        "meetings/<int:meeting_id>/booklet/review/",
        review_views.booklet_review,
        name="booklet_review",
    ),
    path(
        "meetings/<int:meeting_id>/booklet/review/draft-<str:language>.pdf",
        review_views.booklet_review_draft,
        name="booklet_review_draft",
    ),
    path(
        "meetings/<int:meeting_id>/booklet/review/files/<int:file_id>/",
        review_views.booklet_review_file,
        name="booklet_review_file",
    ),
    path("programme/<int:year>/brochure/", document_views.brochure_job, name="brochure_job"),
    path(
        "meetings/<int:meeting_id>/documents/<str:kind>/",
        document_views.document_job,
        name="document_job",
    ),
    path(
        "documents/<int:job_id>/download",
        document_views.document_download,
        name="document_download",
    ),
]
urlpatterns = [path("", include((report_patterns, "reports")))]
