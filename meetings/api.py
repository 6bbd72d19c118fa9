"""The programme API: public reads of published content, organiser-only writes."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from events_site.kit.http_errors import error_responses, not_found_responses
from events_site.kit.pagination import PageQuery, page

from . import selectors
from .auth import organiser_auth, organiser_key
from .errors import InvalidData, UnknownDocument, UnknownMeeting
from .imports import ImportFileError, contacts_import
from .models import (
    AgendaItem,
    CoFacilitator,
    Document,
    Meeting,
    Organisation,
    Person,
    Programme,
    Theme,
)
from .schemas import (
    AgendaItemIn,
    AgendaItemOut,
    AgendaItemPatch,
    AgendaPage,
    CancelIn,
    CoFacilitatorIn,
    CoFacilitatorOut,
    DocumentIn,
    DocumentOut,
    DocumentPage,
    DocumentPatch,
    MeetingFilters,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MeetingPatch,
    OrganisationFilters,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationPatch,
    PeopleImportIn,
    PeopleImportOut,
    PersonFilters,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
    PictureOut,
    PicturesIn,
    ProgrammeFilters,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePage,
    ProgrammePatch,
    ProgrammeSummaryOut,
)
from .services import agenda
from .services import directory as directory_services
from .services import documents as document_services
from .services import meetings as meeting_services
from .services import programme as programme_services

router = Router()


def _resolve(model: type[Model], pk: int | None, field: str):
    if pk is None:
        return None
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise InvalidData(
            _("There is no %(model)s with id %(id)s.")
            % {"model": model._meta.verbose_name, "id": pk},
            {field: [_("Unknown id.")]},
        ) from None


def _themes(slugs: list[str] | None):
    if slugs is None:
        return None
    themes = list(Theme.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {t.slug for t in themes})
    if unknown:
        raise InvalidData(
            _("Unknown theme: %(slugs)s.") % {"slugs": ", ".join(unknown)},
            {"themes": [_("Unknown theme.")]},
        )
    return themes


def _aware(value: datetime | None, time_zone: str) -> datetime | None:
    """Organisers think in the meeting's local time: a naive time is read in its zone."""
    if value is None or timezone.is_aware(value):
        return value
    try:
        zone = ZoneInfo(time_zone)
    except (KeyError, ValueError):
        raise InvalidData(
            _("“%(value)s” is not a known time zone.") % {"value": time_zone},
            {"time_zone": [_("Unknown time zone.")]},
        ) from None
    return value.replace(tzinfo=zone)


def _meeting_data(data: dict, time_zone: str) -> dict:
    for name in ("ambitions_fr", "ambitions_nl"):
        if data.get(name) is not None:
            # Stored one a line: a line break inside an entry would split it in two.
            data[name] = "\n".join(" ".join(entry.split()) for entry in data[name])
    if "host_organisation" in data:
        data["host_organisation"] = _resolve(
            Organisation, data["host_organisation"], "host_organisation"
        )
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if name in data:
            data[name] = _aware(data[name], data.get("time_zone", time_zone))
    return data


def _fresh(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_related("programme", "host_organisation")
        .prefetch_related("themes", "cofacilitators__person__organisation")
        .get(pk=meeting.pk)
    )


# --- Public reads ----------------------------------------------------------------------


@router.get(
    "/programmes/{year}",
    response={200: ProgrammeOut, **not_found_responses(422)},
    tags=["programme"],
    summary="Read a published programme",
)
def programme_read(request, year: int):
    """A published programme with its published and cancelled meetings."""
    programme = selectors.programme_get_published(year)
    programme.meetings_public = selectors.programme_meetings(programme)
    return ProgrammeOut(
        year=programme.year,
        title=programme.title,
        introduction=programme.introduction,
        title_fr=programme.title_fr,
        title_nl=programme.title_nl,
        status=programme.status,
        published_at=programme.published_at,
        meetings=programme.meetings_public,
    )


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **not_found_responses(422)},
    tags=["programme"],
    summary="Read a published meeting",
)
def meeting_read(request, meeting_id: int):
    """A published or cancelled meeting of a published programme, with its co-
    facilitators and themes. Anything else is a 404, as if there were none."""
    return selectors.meeting_get_public(meeting_id)


# --- Organisers' reads ----------------------------------------------------------------
# Lists answer `{count, next, results}` (`events_site.kit.pagination`): follow `next`.


@router.get(
    "/organisations",
    response={200: OrganisationPage, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="List organisations",
)
def organisation_list(request, filters: Query[OrganisationFilters]):
    """The directory's organisations by name, a page at a time; filter by a part of the
    name, country, kind, or what changed since a time. Organisers only."""
    return page(request, selectors.organisations_find(**filters.filters()), filters)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Read an organisation",
)
def organisation_read(request, organisation_id: int):
    """One organisation of the directory. Organisers only."""
    return get_object_or_404(Organisation, pk=organisation_id)


@router.get(
    "/people",
    response={200: PersonPage, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="List people",
)
def person_list(request, filters: Query[PersonFilters]):
    """The directory's people by last and first name, with their organisation, a page
    at a time; filter by a part of the name or email, organisation, its country,
    function, or what changed since a time. Organisers only."""
    return page(request, selectors.people_find(**filters.filters()), filters)


@router.post(
    "/people/import",
    response={200: PeopleImportOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Import people from a spreadsheet",
)
def people_import(request, payload: Form[PeopleImportIn], file: File[UploadedFile]):
    """Add or update people, and their organisations, from a .csv or .xlsx file
    (multipart/form-data), one row each, as the admin's contacts import reads it: the
    first non-empty row is the header, in French, Dutch or English (`email`, `first_name`,
    `last_name`, `function` are required; `organisation`, `kind`, `country`, `city`,
    `postcode`, `phone`, `language`, `news` are read when present), and people are
    matched by email. All or nothing: a single row with a problem writes nothing, and the
    422 lists every row's problems under `errors`, by line, in the request's language.
    With `dry_run` every check is made and nothing is written, with the answer the
    import would give. A file that is not a readable .csv or .xlsx, or lacks a required
    column, is a 422 on `file`. Organisers only.

    Declared before `/people/{person_id}`: one path answers each address, the first."""
    try:
        report = contacts_import(
            file, filename=file.name or "", dry_run=payload.dry_run, all_or_nothing=True
        )
    except ImportFileError as refusal:
        raise InvalidData(refusal.message, {"file": [refusal.message]}) from None
    return {**vars(report), "summary": report.summary}


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Read a person",
)
def person_read(request, person_id: int):
    """One person of the directory, with their organisation. Organisers only."""
    return get_object_or_404(selectors.people_find(), pk=person_id)


@router.get(
    "/programmes",
    response={200: ProgrammePage, **error_responses()},
    auth=organiser_auth,
    tags=["programme"],
    summary="List programmes",
)
def programme_list(request, filters: Query[ProgrammeFilters]):
    """Every programme, newest year first, drafts included. Organisers only."""
    return page(request, selectors.programmes_find(**filters.filters()), filters)


@router.get(
    "/meetings",
    response={200: MeetingPage, **error_responses()},
    auth=organiser_auth,
    tags=["programme"],
    summary="List meetings",
)
def meeting_list(request, filters: Query[MeetingFilters]):
    """Every meeting, drafts and cancelled ones included, by start; filter by year,
    a part of a title or the city, status, country, host, or what changed since a time.
    Organisers only: the public reads a published programme at `/programmes/{year}`."""
    return page(request, selectors.meetings_find(**filters.filters()), filters)


# --- Directory -----------------------------------------------------------------------


@router.post(
    "/organisations",
    response={201: OrganisationOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Add an organisation",
)
def organisation_create(request, payload: OrganisationIn):
    """A new organisation of the directory. Organisers only."""
    return Status(201, directory_services.organisation_create(**payload.dict()))


@router.patch(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Change an organisation",
)
def organisation_update(request, organisation_id: int, payload: OrganisationPatch):
    """Change what is sent; the pairs of the published meetings it touches are checked
    again (409 if one would break). Organisers only."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return directory_services.organisation_update(organisation, **payload.dict(exclude_unset=True))


@router.delete(
    "/organisations/{organisation_id}",
    response={204: None, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Delete an organisation",
)
def organisation_delete(request, organisation_id: int):
    """Delete an organisation nothing refers to, such as one entered twice. One that
    people, hosted meetings or registrations still refer to is refused with 409 and a
    sentence counting them: give them another organisation first (`PATCH
    /people/{person_id}`, `PATCH /meetings/{meeting_id}`). Organisers only."""
    directory_services.organisation_delete(get_object_or_404(Organisation, pk=organisation_id))
    return Status(204, None)


@router.post(
    "/people",
    response={201: PersonOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Add a person",
)
def person_create(request, payload: PersonIn):
    """A new person of the directory. Organisers only."""
    data = payload.dict()
    data["organisation"] = _resolve(Organisation, data["organisation"], "organisation")
    return Status(201, directory_services.person_create(**data))


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Change a person",
)
def person_update(request, person_id: int, payload: PersonPatch):
    """Change what is sent; the pairs of the published meetings they co-facilitate are
    checked again (409 if one would break). Organisers only."""
    person = get_object_or_404(Person, pk=person_id)
    data = payload.dict(exclude_unset=True)
    if "organisation" in data:
        data["organisation"] = _resolve(Organisation, data["organisation"], "organisation")
    return directory_services.person_update(person, **data)


# --- Programme -----------------------------------------------------------------------


@router.post(
    "/programmes",
    response={201: ProgrammeSummaryOut, **error_responses()},
    auth=organiser_auth,
    tags=["programme"],
    summary="Create a programme",
)
def programme_create(request, payload: ProgrammeIn):
    """A new programme, as a draft, with a title in French, Dutch or both. Organisers
    only."""
    return Status(201, programme_services.programme_create(**payload.dict()))


@router.patch(
    "/programmes/{year}",
    response={200: ProgrammeSummaryOut, **error_responses()},
    auth=organiser_auth,
    tags=["programme"],
    summary="Change a programme",
)
def programme_update(request, year: int, payload: ProgrammePatch):
    """Change what is sent of a programme. Organisers only."""
    programme = get_object_or_404(Programme, year=year)
    return programme_services.programme_update(programme, **payload.dict(exclude_unset=True))


@router.post(
    "/programmes/{year}/publish",
    response={200: ProgrammeSummaryOut, **error_responses()},
    auth=organiser_auth,
    tags=["programme"],
    summary="Publish a programme",
)
def programme_publish(request, year: int):
    """Publish a programme: its public page, feed and brochure appear. Organisers only."""
    return programme_services.programme_publish(get_object_or_404(Programme, year=year))


# --- Meetings ------------------------------------------------------------------------


@router.post(
    "/meetings",
    response={201: MeetingOut, **error_responses()},
    auth=organiser_auth,
    tags=["meetings"],
    summary="Create a meeting",
)
def meeting_create(request, payload: MeetingIn):
    """A new draft meeting of a programme; a naive time is read in the meeting's time
    zone. Organisers only."""
    data = payload.dict()
    data["programme"] = get_object_or_404(Programme, year=data["programme"])
    themes = _themes(data.pop("themes"))
    meeting = meeting_services.meeting_create(
        themes=themes, **_meeting_data(data, data["time_zone"])
    )
    return Status(201, _fresh(meeting))


@router.patch(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **error_responses()},
    auth=organiser_auth,
    tags=["meetings"],
    summary="Change a meeting",
)
def meeting_update(request, meeting_id: int, payload: MeetingPatch):
    """Change what is sent; a naive time is read in the meeting's time zone. A change of
    time, place or status of a published meeting goes to its participants' calendars.
    Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    data = payload.dict(exclude_unset=True)
    themes = _themes(data.pop("themes", None))
    meeting = meeting_services.meeting_update(
        meeting, themes=themes, **_meeting_data(data, meeting.time_zone)
    )
    return _fresh(meeting)


@router.post(
    "/meetings/{meeting_id}/publish",
    response={200: MeetingOut, **error_responses()},
    auth=organiser_auth,
    tags=["meetings"],
    summary="Publish a meeting",
)
def meeting_publish(request, meeting_id: int):
    """Publish a meeting; 409 with the reasons when it cannot be (a cancelled meeting,
    or no co-facilitator pair across the border). Publishing again changes nothing.
    Organisers only."""
    meeting = meeting_services.meeting_publish(get_object_or_404(Meeting, pk=meeting_id))
    return _fresh(meeting)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingOut, **error_responses()},
    auth=organiser_auth,
    tags=["meetings"],
    summary="Cancel a meeting",
)
def meeting_cancel(request, meeting_id: int, payload: CancelIn):
    """Cancel a meeting that has not started (409 once it has), with a reason: everyone
    registered or invited gets a calendar cancellation. Cancelling again changes
    nothing. Organisers only."""
    meeting = meeting_services.meeting_cancel(
        get_object_or_404(Meeting, pk=meeting_id), reason=payload.reason
    )
    return _fresh(meeting)


@router.post(
    "/meetings/{meeting_id}/cofacilitators",
    response={201: CoFacilitatorOut, **error_responses()},
    auth=organiser_auth,
    tags=["meetings"],
    summary="Add a co-facilitator to a meeting",
)
def cofacilitator_add(request, meeting_id: int, payload: CoFacilitatorIn):
    """Add a person as the meeting's French or Belgian co-facilitator (`role`).
    Organisers only."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    person = _resolve(Person, payload.person, "person")
    return Status(201, meeting_services.cofacilitator_add(meeting, person, payload.role))


@router.delete(
    "/meetings/{meeting_id}/cofacilitators/{cofacilitator_id}",
    response={204: None, **error_responses()},
    auth=organiser_auth,
    tags=["meetings"],
    summary="Remove a co-facilitator from a meeting",
)
def cofacilitator_remove(request, meeting_id: int, cofacilitator_id: int):
    """Remove a co-facilitator; refused with 409 when a published meeting would lose its
    cross-border pair. Organisers only."""
    cofacilitator = get_object_or_404(
        CoFacilitator.objects.select_related("meeting"), pk=cofacilitator_id, meeting_id=meeting_id
    )
    meeting_services.cofacilitator_remove(cofacilitator)
    return Status(204, None)


# --- Agenda --------------------------------------------------------------------------


def _agenda_data(data: dict, meeting: Meeting) -> dict:
    if data.get("starts_at") is not None:
        data["starts_at"] = _aware(data["starts_at"], meeting.time_zone)
    if data.get("speakers") is not None:
        data["speakers"] = [
            {**speaker, "person": _resolve(Person, speaker.get("person"), "speakers")}
            for speaker in data["speakers"]
        ]
    return data


@router.post(
    "/meetings/{meeting_id}/agenda",
    response={201: AgendaItemOut, **error_responses()},
    auth=organiser_auth,
    tags=["agenda"],
    summary="Add an agenda item",
)
def agenda_item_create(request, meeting_id: int, payload: AgendaItemIn):
    """A new item; 422 outside the meeting's hours, 409 naming the item it would overlap."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    item = agenda.agenda_item_create(meeting, **_agenda_data(payload.dict(), meeting))
    return Status(201, selectors.agenda_item_get(item.pk))


@router.patch(
    "/agenda/{item_id}",
    response={200: AgendaItemOut, **error_responses()},
    auth=organiser_auth,
    tags=["agenda"],
    summary="Change an agenda item",
)
def agenda_item_update(request, item_id: int, payload: AgendaItemPatch):
    """Change what is sent; `speakers`, when sent, replace the item's speakers."""
    item = get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=item_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    agenda.agenda_item_update(item, **_agenda_data(data, item.meeting))
    return selectors.agenda_item_get(item.pk)


@router.delete(
    "/agenda/{item_id}",
    response={204: None, **error_responses()},
    auth=organiser_auth,
    tags=["agenda"],
    summary="Delete an agenda item",
)
def agenda_item_delete(request, item_id: int):
    """Delete an item of a meeting's agenda. Organisers only."""
    agenda.agenda_item_delete(get_object_or_404(AgendaItem, pk=item_id))
    return Status(204, None)


# --- Documents -----------------------------------------------------------------------


def _viewer(request):
    """A public read shows more to an organiser's key or session, or to a signed-in
    person; an unknown key is read as nobody, not refused."""
    if request.headers.get("Authorization"):
        organiser_key(request)
    return selectors.viewer_for(request.user)


def _meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise UnknownMeeting.of(meeting_id)
    return meeting


def _document(document_id: int) -> Document:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise UnknownDocument.of(document_id)
    return document


def _document_data(data: dict) -> dict:
    if "agenda_item" in data:
        data["agenda_item"] = _resolve(AgendaItem, data["agenda_item"], "agenda_item")
    return data


def _readable(request, meeting_id: int):
    """Who reads a meeting's agenda or documents: organisers any meeting's, drafts
    included; everybody else a published one's (404 otherwise, as if there were none)."""
    viewer = _viewer(request)
    if viewer.organiser:
        _meeting(meeting_id)
    else:
        selectors.meeting_check_public(meeting_id)
    return viewer


@router.get(
    "/meetings/{meeting_id}/agenda",
    response={200: AgendaPage, **error_responses()},
    tags=["agenda"],
    summary="List a meeting's agenda",
)
def agenda_read(request, meeting_id: int, query: Query[PageQuery]):
    """The items of a meeting's agenda by time, with their speakers, a page at a time.
    Everybody reads a published meeting's; an organiser's key or session also reads a
    draft's."""
    _readable(request, meeting_id)
    return page(request, selectors.meeting_agenda(meeting_id), query)


@router.get(
    "/meetings/{meeting_id}/documents",
    response={200: DocumentPage, **error_responses()},
    tags=["documents"],
    summary="List a meeting's documents",
)
def meeting_documents(request, meeting_id: int, query: Query[PageQuery]):
    """The meeting's documents the caller may see, slides first, a page at a time:
    public ones for everybody, more for its participants, the network's members and
    organisers (who also see a draft meeting's). Each `url` is absolute and opens with
    the same key."""
    viewer = _readable(request, meeting_id)
    return page(request, selectors.meeting_documents_find(meeting_id, viewer), query)


@router.get(
    "/meetings/{meeting_id}/pictures",
    response={200: list[PictureOut], **error_responses()},
    auth=organiser_auth,
    tags=["documents"],
    summary="List the photos of a meeting's booklet",
)
def meeting_pictures(request, meeting_id: int):
    """The photos the meeting's synthesis booklet shows, in their order, with their
    captions. Organisers only."""
    return list(_meeting(meeting_id).pictures.order_by("order", "pk"))


@router.put(
    "/meetings/{meeting_id}/pictures",
    response={200: list[PictureOut], **error_responses()},
    auth=organiser_auth,
    tags=["documents"],
    summary="Choose the photos of a meeting's booklet",
)
def meeting_pictures_set(request, meeting_id: int, payload: PicturesIn):
    """Replace the booklet's photos, at most 4, in the order given, each a document of
    kind photo of this meeting (upload it first) with a caption in French and Dutch.
    422 for another document, the same one twice, or more than 4. Organisers only."""
    pictures = [picture.dict() for picture in payload.pictures]
    return document_services.meeting_pictures_set(_meeting(meeting_id), pictures)


@router.post(
    "/meetings/{meeting_id}/documents",
    response={201: DocumentOut, **error_responses()},
    auth=organiser_auth,
    tags=["documents"],
    summary="Upload a document",
)
def document_upload(request, meeting_id: int, payload: Form[DocumentIn], file: File[UploadedFile]):
    """Upload a document (multipart/form-data). Its type is read from its content: PDF,
    PNG, JPEG, OpenDocument or Office Open XML; at most `DOCUMENT_MAX_MB` (413 above,
    415 for any other content)."""
    data = _document_data(payload.dict())
    document = document_services.document_create(
        file=file, user=request.user, meeting=_meeting(meeting_id), **data
    )
    return Status(201, document)


@router.patch(
    "/documents/{document_id}",
    response={200: DocumentOut, **error_responses()},
    auth=organiser_auth,
    tags=["documents"],
    summary="Change a document",
)
def document_change(request, document_id: int, payload: DocumentPatch):
    """Change what is sent of a document: its titles, kind, language, agenda item or
    visibility. Organisers only."""
    data = _document_data(payload.dict(exclude_unset=True))
    return document_services.document_update(_document(document_id), **data)


@router.delete(
    "/documents/{document_id}",
    response={204: None, **error_responses()},
    auth=organiser_auth,
    tags=["documents"],
    summary="Delete a document",
)
def document_remove(request, document_id: int):
    """Delete a document and its file. Organisers only."""
    document_services.document_delete(_document(document_id))
    return Status(204, None)
