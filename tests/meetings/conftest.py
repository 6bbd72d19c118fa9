"""Fixtures shared by the tests of the programme domain."""

import pytest

from meetings.models import Meeting
from tests.factories import MeetingFactory


@pytest.fixture
def draft(programme):
    return MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)
