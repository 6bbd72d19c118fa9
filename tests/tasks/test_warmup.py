from contextlib import contextmanager

import pytest
from django.core.cache import cache

from meetings.cache import programme_generation
from tasks.tasks import programme_caches_warm

pytestmark = pytest.mark.django_db


@contextmanager
def _eager(value: bool):
    conf = programme_caches_warm.app.conf
    before = conf.task_always_eager
    conf.update(task_always_eager=value)
    try:
        yield
    finally:
        conf.update(task_always_eager=before)


@pytest.fixture
def with_a_worker():
    with _eager(False):
        yield


@pytest.fixture
def without_a_worker():
    with _eager(True):
        yield


def test_warm_up_builds_every_language_once_per_generation(meeting, with_a_worker, monkeypatch):
    built = []
    monkeypatch.setattr("tasks.tasks.programme_feed_payload", lambda y, lang: built.append(lang))
    monkeypatch.setattr("tasks.tasks.brochure_payload", lambda y, lang: built.append(lang))
    monkeypatch.setattr("tasks.tasks.programme_pages_warm", lambda y: built.append("pages"))

    programme_caches_warm.run(2027)
    programme_caches_warm.run(2027)
    assert sorted(built) == ["en", "en", "fr", "fr", "nl", "nl", "pages"]

    from meetings.cache import programme_generation_bump

    programme_generation_bump()
    programme_caches_warm.run(2027)
    assert len(built) == 14


def test_warm_up_is_skipped_without_a_worker(meeting, without_a_worker):
    programme_caches_warm.run(2027)
    assert cache.get(f"warmed:2027:{programme_generation()}") is None


def test_warm_up_of_a_draft_programme_does_nothing(db, with_a_worker):
    from tests.factories import ProgrammeFactory

    ProgrammeFactory(year=2029, status="draft")
    programme_caches_warm.run(2029)
    assert cache.get("calendar:programme:2029:fr") is None
