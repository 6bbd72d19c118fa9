"""Reads of invitations and registrations, shared by the API, the admin, the pages and
the renderers."""

from collections.abc import Collection, Iterable
from datetime import datetime

from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from events_site.kit import sql
from events_site.kit.pagination import narrowed
from meetings.models import Meeting, Organisation, Person, Theme, Viewer
from meetings.services.signin import Signer
from tasks.models import Delivery

from .errors import InvalidSelection, UnknownInvitation, UnknownRegistration
from .models import CheckIn, Consent, Invitation, Registration


def invitation_by_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("meeting").filter(token=token).first()
    if invitation is None:
        raise UnknownInvitation(_("This invitation link is not valid."))
    return invitation


def invitation_for_delivery(meeting_id: int | None, person_id: int | None) -> Invitation | None:
    """The invitation an email is about, with its meeting: the recipient is on the delivery."""
    return (
        Invitation.objects.select_related("meeting")
        .filter(meeting_id=meeting_id, person_id=person_id)
        .first()
    )


def invitations_for_deliveries(
    deliveries: Iterable[Delivery],
) -> dict[tuple[int | None, int | None], Invitation]:
    """The invitations a batch of emails is about, by (meeting id, person id); those of
    one meeting share one instance of it."""
    pairs = {(delivery.meeting_id, delivery.person_id) for delivery in deliveries}
    if not pairs:
        return {}
    invitations = [
        invitation
        for invitation in Invitation.objects.filter(
            meeting_id__in={meeting for meeting, _person in pairs},
            person_id__in={person for _meeting, person in pairs},
        )
        if (invitation.meeting_id, invitation.person_id) in pairs
    ]
    meetings = Meeting.objects.in_bulk({invitation.meeting_id for invitation in invitations})
    for invitation in invitations:
        invitation.meeting = meetings[invitation.meeting_id]
    return {(invitation.meeting_id, invitation.person_id): invitation for invitation in invitations}


def _by_ids(model, ids: Collection[int], unknown_message: str) -> tuple[list, str | None]:
    found = list(model.objects.filter(pk__in=sql.key_candidates(ids)))
    unknown = sorted(set(ids) - {obj.pk for obj in found})
    if not unknown:
        return found, None
    return found, unknown_message % {"ids": ", ".join(map(str, unknown))}


def invitees_pick(
    person_ids: Collection[int], organisation_ids: Collection[int]
) -> tuple[list[Person], list[Organisation]]:
    """The people and organisations an organiser picked by id; unknown ids are named."""
    people, unknown_people = _by_ids(Person, person_ids, _("There is no person with id %(ids)s."))
    organisations, unknown_organisations = _by_ids(
        Organisation, organisation_ids, _("There is no organisation with id %(ids)s.")
    )
    problems = [problem for problem in (unknown_people, unknown_organisations) if problem]
    if problems:
        raise InvalidSelection(" ".join(problems))
    return people, organisations


def invitation_for_meeting(meeting: Meeting, token: str | None) -> Invitation | None:
    """The invitation of a link followed to this meeting's form, with its person."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("person__organisation")
        .filter(meeting=meeting, token=token)
        .first()
    )


def registration_by_token(token: str) -> Registration:
    """The registration of a manage link, with what its page and its ticket show."""
    registration = (
        Registration.objects.select_related("meeting", "organisation")
        .filter(manage_token=token, anonymised_at__isnull=True)
        .first()
    )
    if registration is None:
        raise UnknownRegistration(_("This registration link is not valid."))
    return registration


def registration_for_delivery(registration_id: int | None) -> Registration | None:
    return (
        Registration.objects.select_related("meeting", "organisation")
        .filter(pk=registration_id)
        .first()
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next person to get a seat; None for whoever is not waiting. A
    registration just written on the waiting list comes with its place, counted as it
    joined (`Registration.waitlist_place`): its answer needs no query."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    if registration.waitlist_place is not None:
        return registration.waitlist_place
    ahead = Registration.objects.filter(
        meeting_id=registration.meeting_id, status=Registration.Status.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def registrant_meetings(registration: Registration) -> list[Meeting]:
    """Every meeting the address of `registration` is registered for (not cancelled),
    with the host, themes and agenda the calendar shows."""
    return list(
        Meeting.objects.filter(
            pk__in=Registration.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=Lower(Value(registration.email)))
            .exclude(status=Registration.Status.CANCELLED)
            .values("meeting_id")
        )
        .select_related("host_organisation")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("slug")), "agenda_items"
        )
        .order_by("starts_at", "pk")
    )


def registration_viewer(registration: Registration) -> Viewer:
    """Who a manage link's holder is to the documents' rule: a participant of its meeting
    while the registration is confirmed, and nothing more (it proves no membership)."""
    if registration.status != Registration.Status.CONFIRMED:
        return Viewer()
    return Viewer(participant_of=frozenset({registration.meeting_id}))


def _by_address(email: str):
    """Registrations made with this address, in any letter case (the index's form)."""
    return Registration.objects.annotate(email_lower=Lower("email")).filter(
        email_lower=email.strip().lower()
    )


def registrant_signer(email: str) -> Signer | None:
    """Who registered with this address, as their latest registration names them: they
    may sign in, though not in the directory."""
    registration = (
        _by_address(email).only("email", "first_name", "last_name", "language").order_by("-pk")
    ).first()
    if registration is None:
        return None
    return Signer(registration.email, registration.full_name, registration.language)


def subject_email(user) -> str:
    """The address a signed-in user is known by: their directory entry's, else the one
    their account was made for."""
    person = getattr(user, "person", None)
    return person.email if person is not None else user.email


def own_registrations(user):
    """Every registration of the signed-in person: made with their address, or tied to
    their directory entry; with what their own page shows."""
    email = subject_email(user)
    mine = Q(person__user=user)
    if email:
        mine |= Q(email_lower=email.lower())
    return (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(mine)
        .select_related("meeting", "checkin")
        .order_by("-meeting__starts_at", "-pk")
    )


def _attended(meeting_id: int):
    return Registration.objects.filter(
        meeting_id=meeting_id, status=Registration.Status.CONFIRMED, checkin__isnull=False
    )


def contact_list_entitled(registration: Registration) -> bool:
    """A contact list is a mutual exchange: it goes to whoever came and shares theirs,
    once the meeting is closed."""
    return bool(
        registration.meeting.closed_at
        and registration.status == Registration.Status.CONFIRMED
        and registration.share_contact
        and checked_in(registration)
    )


def checked_in(registration: Registration) -> bool:
    """From the check-in read with the registration (`select_related("checkin")`)."""
    try:
        return registration.checkin is not None
    except CheckIn.DoesNotExist:
        return False


def contact_list(meeting_id: int) -> list[Registration]:
    """Everyone who came to the meeting and shares their contact, as of now: a withdrawn
    consent leaves every list served from then on."""
    return list(
        _attended(meeting_id)
        .filter(share_contact=True)
        .select_related("organisation", "person")
        .order_by("last_name", "first_name", "pk")
    )


def contact_states(meeting_id: int) -> list[Registration]:
    """Every confirmed registration of the meeting with its contact-sharing consent (the
    standing one, if any) and its check-in: what organisers see."""
    return list(
        Registration.objects.filter(meeting_id=meeting_id, status=Registration.Status.CONFIRMED)
        .select_related("organisation", "person", "checkin")
        .prefetch_related(
            Prefetch(
                "consents",
                queryset=Consent.objects.filter(
                    kind=Consent.Kind.CONTACT_SHARING, withdrawn_at__isnull=True
                ),
                to_attr="standing_consents",
            )
        )
        .order_by("last_name", "first_name", "pk")
    )


def meeting_registrations_find(
    meeting: Meeting,
    *,
    q: str = "",
    status: str | None = None,
    function: str | None = None,
    organisation: int | None = None,
    country: str | None = None,
    updated_since: datetime | None = None,
):
    """A meeting's registrations by name, for organisers. `country` is the directory
    organisation's, or the one typed by someone outside the directory."""
    registrations = narrowed(
        Registration.objects.filter(meeting=meeting).select_related("organisation"),
        q=q,
        q_fields=("first_name", "last_name", "email"),
        status=status,
        function=function,
        organisation_id=organisation,
        updated_at__gte=updated_since,
    )
    if country:
        country = country.upper()
        registrations = registrations.filter(
            Q(organisation__country=country)
            | Q(organisation__isnull=True, organisation_country=country)
        )
    return registrations.order_by("last_name", "first_name", "pk")


def meeting_invitations_find(
    meeting: Meeting,
    *,
    q: str = "",
    organisation: int | None = None,
    country: str | None = None,
    function: str | None = None,
    answered: bool | None = None,
):
    """A meeting's invitations, with each person and their organisation, by the person's
    name. An invitation keeps no time of its last change (opening the link and answering
    each have their own), so it has no `updated_since`."""
    invitations = narrowed(
        Invitation.objects.filter(meeting=meeting).select_related("person__organisation"),
        q=q,
        q_fields=("person__first_name", "person__last_name", "person__email"),
        person__organisation_id=organisation,
        person__organisation__country=country.upper() if country else None,
        person__function=function,
        answered_at__isnull=None if answered is None else not answered,
    )
    return invitations.order_by("person__last_name", "person__first_name", "pk")


def meeting_checkins_find(
    meeting: Meeting,
    *,
    q: str = "",
    method: str | None = None,
    since: datetime | None = None,
):
    """Who came to a meeting, in the order they came. A check-in never changes (an undo
    deletes it), so `since` is when it was made."""
    checkins = narrowed(
        CheckIn.objects.filter(registration__meeting=meeting).select_related(
            "registration__organisation"
        ),
        q=q,
        q_fields=("registration__first_name", "registration__last_name", "registration__email"),
        method=method,
        checked_in_at__gte=since,
    )
    return checkins.order_by("checked_in_at", "pk")
