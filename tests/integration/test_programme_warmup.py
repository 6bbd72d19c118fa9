"""The publish → Celery worker → Redis cache path, with real processes and services."""

import pytest
from django.core.cache import cache

from meetings.cache import programme_generation
from meetings.models import Meeting
from meetings.services.meetings import meeting_publish
from tests.factories import MeetingFactory, ProgrammeFactory, cross_border_pair
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_publishing_lets_a_worker_prebuild_the_feeds_that_are_then_served_without_queries(
    celery_worker_process, client, django_assert_num_queries
):
    programme = ProgrammeFactory(year=2027)
    meeting = MeetingFactory(programme=programme, status=Meeting.Status.DRAFT, title_nl="Leie")
    cross_border_pair(meeting)

    meeting_publish(meeting)

    generation = programme_generation()

    def feed_built_by_the_worker():
        payload = cache.get("calendar:programme:2027:nl")
        return payload is not None and payload.generation == generation

    wait_for(feed_built_by_the_worker, worker=celery_worker_process, what="the worker's feed")
    assert cache.get(f"reports:brochure:{generation}:2027:fr")

    with django_assert_num_queries(0):
        response = client.get("/calendar/2027.ics?lang=nl")
    assert response.status_code == 200
    assert b"SUMMARY:Leie" in response.content
