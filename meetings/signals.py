"""The programme domain's signals: cache invalidation, and the events other apps act on.

Caches are invalidated from model signals rather than from each service, because the
admin, the API, imports and data migrations all write these models, and a missed bump
would serve a stale feed.

The rule for every domain event (here and in `workshops/signals.py`): nothing leaves the
database before the change commits. An event whose receivers write rows that belong with
the change (the emails owed, in the outbox; seats given to the waiting list) is sent
inside the service's transaction, so they commit with it or not at all; those receivers
leave every effect outside the database (a broker publish, an email, a cache) to
`transaction.on_commit`, as the outbox and `tasks.outbox.enqueue_on_commit` do. An event
whose receivers only act outside the database is sent after commit (`workshop_closed`).
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from .cache import programme_generation_bump
from .models import (
    AgendaItem,
    AgendaSpeaker,
    CoFacilitator,
    Document,
    Meeting,
    Organisation,
    Person,
    Programme,
    Theme,
)

WATCHED = (
    Programme,
    Meeting,
    CoFacilitator,
    Organisation,
    Person,
    Theme,
    AgendaItem,
    AgendaSpeaker,
)


@receiver(post_save)
@receiver(post_delete)
def _programme_data_changed(sender, **kwargs):
    if sender in WATCHED:
        transaction.on_commit(programme_generation_bump)


@receiver(post_delete, sender=Document)
def _document_file_remove(sender, instance: Document, **kwargs):
    """A document's file leaves the storage once the row's removal has committed, however
    it was removed (the API, the admin, its meeting deleted): a rollback keeps both."""
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))


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
# Sent with `meeting=` and `user=` (the organiser) inside the transaction of closing it:
# the apps that act on a meeting's end write what they owe with it (reports queues the
# booklet to everyone who came). Each receiver answers how many emails it queued.
meeting_closed = Signal()

# Sent with `user=` (signed in) to learn which meetings they take part in (a confirmed
# registration): each receiver answers an iterable of meeting ids. Registrations answer
# it, so that documents for a meeting's participants open to them when they sign in.
participations_asked = Signal()
