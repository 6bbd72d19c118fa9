"""A workshop write waits for whoever holds the workshop's row, on PostgreSQL: a
facilitator's "close" that locked it first is seen by the write, which then refuses.

SQLite serialises writers, so the wait only shows on a real server.
"""

import threading

import pytest
from django.db import connections, transaction

from tests.factories import MeetingFactory, ProgrammeFactory
from tests.integration.conftest import _require_real_services
from tests.workshops.test_workshop_lock import WRITES, stale_copies
from workshops.errors import WorkshopClosed
from workshops.models import Workshop
from workshops.services.orientations import orientation_create
from workshops.services.postits import contribution_create
from workshops.services.tables import tables_create
from workshops.services.workshops import workshop_close, workshop_create, workshop_reopen

pytestmark = pytest.mark.integration

# Long enough for a write that does not wait to have finished.
WAIT_S = 0.5


def _in_thread(target, outcome: list) -> None:
    try:
        target()
        outcome.append(None)
    except BaseException as error:  # reported by the test, not lost in the thread
        outcome.append(error)
    finally:
        connections.close_all()


def test_each_write_waits_for_the_workshops_lock_then_sees_it_closed(transactional_db):
    _require_real_services()
    meeting = MeetingFactory(programme=ProgrammeFactory(year=2027))
    workshop = workshop_create(meeting, title_fr="Mobilité")
    tables_create(workshop, 1)
    orientation_create(workshop, title_fr="Transports")
    contribution_create(workshop, text="Un bus de nuit", source="transcribed")

    for name, write in WRITES.items():
        workshop_reopen(workshop)
        stale = stale_copies(workshop)
        locked, release = threading.Event(), threading.Event()

        def close_under_lock(locked=locked, release=release):
            with transaction.atomic():
                held = Workshop.objects.select_for_update().get(pk=workshop.pk)
                locked.set()
                release.wait(timeout=30)
                workshop_close(held)

        holder_outcome, write_outcome = [], []
        holder = threading.Thread(target=_in_thread, args=(close_under_lock, holder_outcome))
        holder.start()
        assert locked.wait(timeout=30)
        writer = threading.Thread(
            target=_in_thread, args=(lambda write=write, stale=stale: write(stale), write_outcome)
        )
        writer.start()
        writer.join(timeout=WAIT_S)
        waited = writer.is_alive()
        release.set()
        holder.join(timeout=30)
        writer.join(timeout=30)

        assert waited, f"{name} did not wait for the workshop's lock"
        assert holder_outcome == [None]
        assert len(write_outcome) == 1 and isinstance(write_outcome[0], WorkshopClosed), name
