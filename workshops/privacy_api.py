"""Erasing a person through the API: the same erasure as the admin's and the person's
own (`services.privacy`), logged as asked through the API.

It is written here because the erasure spans the post-its, which `meetings` cannot see;
it joins the directory's router, not a router of its own, because a path is one URL
pattern: a second router's `/people/{person_id}` would never be reached (405)."""

from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events_site.kit.http_errors import error_responses
from meetings.api import router
from meetings.auth import organiser_auth
from meetings.errors import WrongState
from meetings.models import Erasure, Person

from .schemas import ErasureOut
from .services.privacy import subject_erase
from .subject import subject_of_person


@router.delete(
    "/people/{person_id}",
    response={200: ErasureOut, **error_responses()},
    auth=organiser_auth,
    tags=["directory"],
    summary="Erase a person",
)
def person_erase(request, person_id: int):
    """Erase a person's data, on a request they made (GDPR, article 17): names, address,
    phone and notes go from the directory and from their registrations, their upcoming
    registrations are cancelled (the next person waiting gets the seat), their post-its
    lose their signature, emails not sent yet are not sent, and they can no longer sign
    in. What past meetings' figures count stays: function, organisation, check-ins.
    The entry stays, anonymised, for those figures. The answer is the erasure's log
    entry; a person already erased is refused with 409. Organisers only."""
    person = get_object_or_404(Person, pk=person_id)
    erased = person.erasures.order_by("-erased_at").first()
    if erased is not None:
        raise WrongState(
            _("This person's data was already erased on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(erased.erased_at), "DATETIME_FORMAT")}
        )
    return subject_erase(subject_of_person(person), by=request.user, channel=Erasure.Channel.API)
