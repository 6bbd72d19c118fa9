"""The cross-border rule: a pair to publish, kept whatever changes."""

import pytest
from django.utils import timezone

from meetings.errors import NotPublishable
from meetings.models import CoFacilitator, Meeting
from meetings.services.directory import organisation_update, person_update
from meetings.services.meetings import cofacilitator_remove, meeting_publish, meeting_update
from tests.factories import CoFacilitatorFactory, MeetingFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


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


def test_a_meeting_inside_one_country_is_exempt_from_the_pair(programme):
    meeting = MeetingFactory(
        programme=programme, status=Meeting.Status.DRAFT, is_cross_border=False
    )
    CoFacilitatorFactory(meeting=meeting, person__organisation__country="FR")
    assert meeting_publish(meeting).status == Meeting.Status.PUBLISHED


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
