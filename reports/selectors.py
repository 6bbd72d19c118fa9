"""Reads of the reports app that pages and the API share (the booklet's own content is
read by `booklet_data`)."""

from meetings.models import Meeting

from .models import BookletJob


def latest_booklets(meeting: Meeting) -> list[BookletJob]:
    """The latest build of each language, in the order of the languages: one query."""
    latest: dict[str, BookletJob] = {}
    for job in BookletJob.objects.filter(meeting=meeting).order_by("-created_at", "-pk")[:50]:
        latest.setdefault(job.language, job)
    return [latest[code] for code in BookletJob.Language.values if code in latest]
