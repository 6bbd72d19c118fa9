"""Uploading, changing and removing the network's documents.

A refusal (too large, a type the content does not prove, a field) is found before
anything reaches the storage, and a row that fails to save takes its stored file with
it: no refused or failed upload leaves a file behind. A file is removed from the storage
only once the removal of its row has committed (`meetings.signals`).
"""

from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from events_site.kit.files import sniff_content_type
from events_site.kit.validation import validated

from ..errors import DocumentTooLarge, DocumentTypeRefused, InvalidData
from ..models import PICTURES_MAX, Document, Meeting, MeetingPicture
from ._common import _require_one_language, _validated_save

ACCEPTED_TYPES = _("PDF, PNG, JPEG, OpenDocument or Microsoft Office (docx, xlsx, pptx)")


def _checked(file: File) -> tuple[str, int]:
    """(content type, size) of an acceptable upload; refuses any other, naming the rule."""
    limit_mb = settings.DOCUMENT_MAX_MB
    if file.size > limit_mb * 1024 * 1024:
        message = _("The file is %(size).1f MB; the limit is %(limit)g MB.") % {
            "size": file.size / 1024 / 1024,
            "limit": limit_mb,
        }
        raise DocumentTooLarge(message, {"file": [message]})
    if file.size == 0:
        message = _("The file is empty.")
        raise DocumentTypeRefused(message, {"file": [message]})
    content_type = sniff_content_type(file)
    if content_type is None:
        message = _("This file's content is not of an accepted type: %(types)s.") % {
            "types": ACCEPTED_TYPES
        }
        raise DocumentTypeRefused(message, {"file": [message]})
    return content_type, file.size


def _validated(document: Document, data: dict[str, Any]) -> None:
    _require_one_language(data, document, "title", _("title"))
    _validated_save(document, data)


def _stored_then_saved(document: Document, data: dict[str, Any], file: File) -> Document:
    """Check `file`, store it, then save the row; the stored file goes if the row fails."""
    content_type, size = _checked(file)
    data = {**data, "content_type": content_type, "size": size}
    # Every other rule is checked before the file reaches the storage.
    _require_one_language(data, document, "title", _("title"))
    for name, value in data.items():
        setattr(document, name, value)
    validated(document, InvalidData, exclude=["file"])
    stored = None
    try:
        document.file.save(file.name or "document", file, save=False)
        stored = document.file.name
        _validated_save(document, {})
    except BaseException:
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


def document_create(*, file: File, user=None, **data) -> Document:
    """A new document, its file checked by content and stored."""
    document = Document(uploaded_by=user if user is not None and user.is_authenticated else None)
    return _stored_then_saved(document, data, file)


@transaction.atomic
def document_update(document: Document, *, file: File | None = None, **data) -> Document:
    """Change a document's description, or replace its file (the old one is removed
    once the change commits)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if file is None:
        _validated(document, data)
        return document
    previous = document.file.name
    _stored_then_saved(document, data, file)
    storage = document.file.storage
    transaction.on_commit(lambda: storage.delete(previous))
    return document


@transaction.atomic
def document_delete(document: Document) -> None:
    document.delete()


@transaction.atomic
def meeting_pictures_set(meeting: Meeting, pictures: list[dict[str, Any]]) -> list[MeetingPicture]:
    """The photos of the meeting's booklet, replaced as a whole and kept in the given
    order: at most `PICTURES_MAX`, each one of the meeting's own documents of kind
    photo, once. Each item holds `document` (an id) and `caption_fr`, `caption_nl`."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if len(pictures) > PICTURES_MAX:
        message = _("A booklet shows at most %(count)d photos.") % {"count": PICTURES_MAX}
        raise InvalidData(message, {"pictures": [message]})
    ids = [item["document"] for item in pictures]
    if len(set(ids)) != len(ids):
        message = _("This photo is already in the booklet.")
        raise InvalidData(message, {"pictures": [message]})
    photos = set(
        Document.objects.filter(pk__in=ids, meeting=meeting, kind=Document.Kind.PHOTO).values_list(
            "pk", flat=True
        )
    )
    strangers = [str(pk) for pk in ids if pk not in photos]
    if strangers:
        message = _("Choose a photo among the documents of this meeting.")
        raise InvalidData(message, {"pictures": [f"{message} ({', '.join(strangers)})"]})
    rows = [
        MeetingPicture(
            meeting=meeting,
            document_id=item["document"],
            caption_fr=(item.get("caption_fr") or "").strip(),
            caption_nl=(item.get("caption_nl") or "").strip(),
            order=order,
        )
        for order, item in enumerate(pictures)
    ]
    for row in rows:
        validated(row, InvalidData, exclude=["meeting", "document"])
    meeting.pictures.all().delete()
    return MeetingPicture.objects.bulk_create(rows)
