from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.errors import InvalidData, NotPublishable, WrongState
from meetings.models import CoFacilitator, Meeting, Person
from meetings.services import meetings as meeting_services
from meetings.services.directory import organisation_update, person_create, person_update
from meetings.services.meetings import (
    cofacilitator_add,
    cofacilitator_remove,
    meeting_create,
    meeting_publish,
    meeting_update,
)
from meetings.services.programme import programme_publish
from tasks.models import Delivery
from tests.factories import (
    CoFacilitatorFactory,
    MeetingFactory,
    OrganisationFactory,
    ProgrammeFactory,
    cross_border_pair,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(programme):
    return MeetingFactory(programme=programme, status=Meeting.Status.DRAFT)


def test_publish_requires_a_co_facilitator_from_each_side(draft):
    CoFacilitatorFactory(meeting=draft, person__organisation__country="FR")

    with pytest.raises(NotPublishable, match="Belg"):
        meeting_publish(draft)

    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT
    assert draft.sequence == 0


def test_publish_names_both_missing_sides_when_there_is_no_pair(draft):
    with pytest.raises(NotPublishable) as exc:
        meeting_publish(draft)
    assert "France" in exc.value.message and "Belg" in exc.value.message


def test_support_staff_do_not_count_towards_the_pair(draft):
    CoFacilitatorFactory(meeting=draft, person__organisation__country="FR")
    CoFacilitatorFactory(
        meeting=draft, person__organisation__country="BE", role=CoFacilitator.Role.SUPPORT
    )
    with pytest.raises(NotPublishable):
        meeting_publish(draft)


def test_publish_with_a_pair_bumps_the_sequence(draft):
    cross_border_pair(draft)
    meeting = meeting_publish(draft)
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.published_at is not None
    assert meeting.sequence == 1
    assert meeting_publish(meeting).sequence == 1, "publishing twice is a no-op"


def test_a_meeting_inside_one_country_is_exempt_from_the_pair(programme):
    meeting = MeetingFactory(
        programme=programme, status=Meeting.Status.DRAFT, is_cross_border=False
    )
    CoFacilitatorFactory(meeting=meeting, person__organisation__country="FR")
    assert meeting_publish(meeting).status == Meeting.Status.PUBLISHED


def test_update_of_time_or_place_bumps_sequence_but_not_of_description(meeting):
    before = meeting.sequence
    meeting = meeting_update(meeting, description_fr="Ordre du jour précisé")
    assert meeting.sequence == before
    meeting = meeting_update(
        meeting,
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
    )
    assert meeting.sequence == before + 1
    meeting = meeting_update(meeting, venue_city="Kortrijk")
    assert meeting.sequence == before + 2


def test_end_before_start_is_refused_and_nothing_is_saved(meeting):
    original = (meeting.starts_at, meeting.ends_at, meeting.sequence)
    with pytest.raises(InvalidData, match="end after it starts") as exc:
        meeting_update(meeting, ends_at=meeting.starts_at - timedelta(minutes=1))
    assert "__all__" in exc.value.errors
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at, meeting.sequence) == original


def test_capacity_zero_is_refused(programme):
    with pytest.raises(InvalidData, match="at least 1"):
        meeting_create(
            programme=programme,
            title_fr="Rencontre",
            starts_at=MeetingFactory.build(programme=programme).starts_at,
            ends_at=MeetingFactory.build(programme=programme).ends_at,
            venue_name="Salle",
            venue_city="Lille",
            venue_country="FR",
            capacity=0,
        )
    assert not Meeting.objects.exists()


def test_a_meeting_needs_a_title_in_one_language(programme):
    built = MeetingFactory.build(programme=programme)
    with pytest.raises(InvalidData, match="French or in Dutch"):
        meeting_create(
            programme=programme,
            starts_at=built.starts_at,
            ends_at=built.ends_at,
            venue_name="Salle",
            venue_city="Lille",
            venue_country="FR",
        )


def test_a_meeting_must_fall_in_its_programme_year(programme):
    built = MeetingFactory.build(programme=programme)
    with pytest.raises(InvalidData, match="2028"):
        meeting_update(
            MeetingFactory(programme=programme),
            starts_at=built.starts_at.replace(year=2028),
            ends_at=built.ends_at.replace(year=2028),
        )


def test_cancel_bumps_sequence_once_and_freezes_the_meeting(meeting):
    before = meeting.sequence
    meeting = meeting_services.meeting_cancel(meeting, reason="  Salle indisponible ")
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.cancellation_reason == "Salle indisponible"
    assert meeting.sequence == before + 1
    assert meeting_services.meeting_cancel(meeting).sequence == before + 1
    with pytest.raises(WrongState):
        meeting_update(meeting, venue_city="Tournai")
    with pytest.raises(WrongState):
        meeting_publish(meeting)


def test_a_meeting_that_has_started_cannot_be_cancelled(started_meeting):
    with pytest.raises(WrongState, match="already started"):
        meeting_services.meeting_cancel(started_meeting, reason="Trop tard")
    started_meeting.refresh_from_db()
    assert (started_meeting.status, started_meeting.sequence) == (Meeting.Status.PUBLISHED, 0)
    assert not Delivery.objects.filter(kind="meeting_cancel").exists()


def test_a_closed_meeting_keeps_its_time_and_place_but_not_its_words(started_meeting):
    started_meeting.closed_at = timezone.now()
    started_meeting.save(update_fields=["closed_at"])
    for change in (
        {"venue_city": "Tournai"},
        {"starts_at": started_meeting.starts_at - timedelta(hours=1)},
        {"time_zone": "Europe/Paris"},
    ):
        with pytest.raises(WrongState, match="closed"):
            meeting_update(started_meeting, **change)
    updated = meeting_update(
        started_meeting, venue_city=started_meeting.venue_city, next_steps_fr="Une suite"
    )
    assert (updated.venue_city, updated.sequence) == ("Mouscron", 0)
    assert updated.next_steps_fr == "Une suite"


def test_status_changes_only_through_publish_or_cancel(meeting):
    with pytest.raises(InvalidData, match="publish or cancel"):
        meeting_update(meeting, status=Meeting.Status.DRAFT)


def test_duplicate_co_facilitator_is_refused(meeting):
    person = meeting.cofacilitators.first().person
    with pytest.raises(InvalidData, match="already co-facilitates"):
        cofacilitator_add(meeting, person, CoFacilitator.Role.SUPPORT)
    assert meeting.cofacilitators.count() == 2


def test_removing_half_of_a_published_pair_is_refused(meeting):
    belgian = meeting.cofacilitators.get(person__organisation__country="BE")
    with pytest.raises(NotPublishable, match="keep its co-facilitator pair"):
        cofacilitator_remove(belgian)
    assert meeting.cofacilitators.count() == 2


def test_a_co_facilitator_moving_to_the_other_side_is_refused_while_a_meeting_needs_them(
    meeting,
):
    belgian = meeting.cofacilitators.get(person__organisation__country="BE").person
    french_town = OrganisationFactory(country="FR")
    with pytest.raises(NotPublishable, match=f"“{meeting}” is published.*Belgium"):
        person_update(belgian, organisation=french_town)
    belgian.refresh_from_db()
    assert belgian.organisation.country == "BE"


def test_an_organisation_changing_country_is_refused_while_it_holds_a_pair(meeting):
    belgian_town = meeting.cofacilitators.get(
        person__organisation__country="BE"
    ).person.organisation
    with pytest.raises(NotPublishable, match="Belgium"):
        organisation_update(belgian_town, country="FR")
    belgian_town.refresh_from_db()
    assert belgian_town.country == "BE"
    renamed = organisation_update(belgian_town, name="Stad Menen")
    assert renamed.name == "Stad Menen"


def test_a_published_meeting_made_cross_border_needs_its_pair(programme):
    local = MeetingFactory(programme=programme, is_cross_border=False)
    with pytest.raises(NotPublishable, match="France"):
        meeting_update(local, is_cross_border=True)
    local.refresh_from_db()
    assert local.is_cross_border is False


def test_a_meeting_that_is_over_keeps_the_pair_it_had(started_meeting):
    Meeting.objects.filter(pk=started_meeting.pk).update(ends_at=timezone.now())
    belgian = started_meeting.cofacilitators.get(person__organisation__country="BE").person
    moved = person_update(belgian, organisation=OrganisationFactory(country="FR"))
    assert moved.organisation.country == "FR"


def test_programme_publish_is_idempotent(db):
    programme = ProgrammeFactory(year=2028, status="draft")
    published = programme_publish(programme)
    first_stamp = published.published_at
    assert published.is_published and first_stamp
    assert programme_publish(programme).published_at == first_stamp


def test_email_is_unique_whatever_its_case(db):
    organisation = OrganisationFactory()
    person_create(
        first_name="Anne",
        last_name="Leroy",
        email="anne@example.org",
        function=Person.Function.MAYOR,
        organisation=organisation,
    )
    with pytest.raises(InvalidData, match="already has this email"):
        person_create(
            first_name="Anne",
            last_name="Leroy",
            email="ANNE@example.org",
            function=Person.Function.MAYOR,
            organisation=organisation,
        )
