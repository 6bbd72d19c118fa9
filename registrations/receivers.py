"""What registrations do when a meeting changes, in the same transaction: tell everyone
invited or registered, and give new seats to the waiting list; and when an organiser
changes someone's network news, the record of that consent."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from meetings.models import Organisation, Person
from meetings.signals import (
    meeting_cancelled,
    meeting_capacity_changed,
    meeting_rescheduled,
    participations_asked,
)

from .models import Registration
from .selectors import own_registrations
from .services.consents import network_news_recorded
from .services.invitations import MEETING_CANCEL, MEETING_UPDATE, meeting_change_notify
from .services.registration import registrations_search_text_refresh
from .services.waitlist import waitlist_promote


@receiver(meeting_rescheduled)
def _meeting_rescheduled(sender, meeting, **kwargs):
    meeting_change_notify(meeting, MEETING_UPDATE)


@receiver(meeting_cancelled)
def _meeting_cancelled(sender, meeting, **kwargs):
    meeting_change_notify(meeting, MEETING_CANCEL)


@receiver(meeting_capacity_changed)
def _meeting_capacity_changed(sender, meeting, previous, **kwargs):
    if meeting.capacity > previous:
        waitlist_promote(meeting)


@receiver(post_save, sender=Person)
def _network_news_recorded(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "accepts_network_news" not in update_fields):
        return
    network_news_recorded(instance)


@receiver(post_save, sender=Organisation)
def _organisation_renamed(sender, instance, raw=False, update_fields=None, **kwargs):
    """The door finds people by their organisation's name: its registrations follow it."""
    if raw or (update_fields is not None and "name" not in update_fields):
        return
    registrations_search_text_refresh(instance.registrations.all())


@receiver(participations_asked)
def _participations(sender, user, **kwargs):
    """A confirmed registration of theirs makes a signed-in person a participant."""
    return (
        own_registrations(user)
        .filter(status=Registration.Status.CONFIRMED)
        .values_list("meeting_id", flat=True)
    )
