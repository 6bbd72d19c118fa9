"""The printable outputs' pages: brochure, meeting documents, booklet and results."""

from django.urls import include, path, re_path

from . import views

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
    re_path(
        r"^meetings/(?P<meeting_id>[0-9]+)/booklet/(?P<job_id>[0-9]+)\.(?P<kind>docx|odt)$",
        views.booklet_download,
        name="booklet_copy_download",
    ),
    path("meetings/<int:meeting_id>/results/", views.meeting_results, name="meeting_results"),
]
urlpatterns = [path("", include((report_patterns, "reports")))]
