"""The printable outputs' pages: brochure, meeting documents, booklet and results."""

from django.urls import include, path

from . import review_views, views

report_patterns = [
    path("programme/<int:year>.pdf", views.programme_brochure, name="programme_brochure"),
    *(
        path(
            f"meetings/<int:meeting_id>/{filename}",
            views.meeting_document,
            {"document": name},
            name,
        )
        for name, (filename, *_rest) in views.MEETING_DOCUMENTS.items()
    ),
    path("meetings/<int:meeting_id>/booklet/", views.meeting_booklet, name="meeting_booklet"),
    path(
        "meetings/<int:meeting_id>/booklet/<int:job_id>.pdf",
        views.booklet_download,
        name="booklet_download",
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
]
urlpatterns = [path("", include((report_patterns, "reports")))]
