"""Invalidate published-programme caches after any committed change to their data.

Signals rather than calls in each service, because the admin, the API, imports and
data migrations all write these models, and a missed bump would serve a stale feed.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

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
