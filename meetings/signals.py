"""The programme domain's signals: cache invalidation, and the events other apps act on.

Caches are invalidated from model signals rather than from each service, because the
admin, the API, imports and data migrations all write these models, and a missed bump
would serve a stale feed.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from .cache import programme_generation_bump
from .models import CoFacilitator, Meeting, Organisation, Person, Programme, Theme

WATCHED = (Programme, Meeting, CoFacilitator, Organisation, Person, Theme)


@receiver(post_save)
@receiver(post_delete)
def _programme_data_changed(sender, **kwargs):
    if sender in WATCHED:
        transaction.on_commit(programme_generation_bump)


@receiver(m2m_changed, sender=Meeting.themes.through)
def _meeting_themes_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        transaction.on_commit(programme_generation_bump)


# Domain events, sent with `meeting=` by the services inside their transaction, after the
# SEQUENCE bump. The apps that depend on meetings (which must not import them) subscribe,
# so that what they owe people (calendar updates to invitees…) commits with the change
# or not at all.
meeting_rescheduled = Signal()
meeting_cancelled = Signal()
# Sent with `meeting=` and `previous=` (the old capacity) when the capacity changes: more
# seats let people off the waiting list.
meeting_capacity_changed = Signal()
