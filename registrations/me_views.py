"""Each person's own space, once signed in: their meetings and tickets, the contact
lists they are owed, their consents; and the privacy notice everyone agrees to.

The space is found from the signed-in account alone (`selectors.own_registrations`):
nothing in a URL names whose it is, so nobody can ask for someone else's.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from meetings.auth import facilitated_meetings, is_organiser
from meetings.selectors import own_documents

from . import contacts, selectors
from .models import Consent, Registration
from .services.consents import consent_version, contact_sharing_withdraw, network_news_set
from .views import _private


@require_safe
@login_required
def me_home(request):
    now = timezone.now()
    registrations = list(selectors.own_registrations(request.user))
    upcoming = [r for r in registrations if r.meeting.ends_at > now]
    upcoming.reverse()
    past = [r for r in registrations if r.meeting.ends_at <= now]
    holding = [r for r in registrations if r.status != Registration.Status.CANCELLED]
    person = getattr(request.user, "person", None)
    context = {
        "upcoming": upcoming,
        "past": past,
        "contact_lists": [r for r in past if selectors.contact_list_entitled(r)],
        "sharing": [r for r in registrations if r.share_contact],
        "person": person,
        # One personal feed covers every meeting of the address.
        "feed_token": holding[0].manage_token if holding else None,
        "facilitates": is_organiser(request.user) or facilitated_meetings(request.user).exists(),
        "organiser": is_organiser(request.user),
        "documents": own_documents(request.user),
    }
    return _private(render(request, "registrations/me/home.html", context))


def _own_entitled(request, meeting_id: int) -> Registration:
    """The signed-in person's registration for this meeting, if it is owed a list."""
    registration = selectors.own_registrations(request.user).filter(meeting_id=meeting_id).first()
    if registration is None or not selectors.contact_list_entitled(registration):
        raise Http404
    return registration


@require_safe
@login_required
def me_contacts(request, meeting_id: int, extension: str):
    registration = _own_entitled(request, meeting_id)
    filename, payload, content_type = contacts.contact_list_file(
        registration,
        extension,
        translation.get_language(),
        selectors.contact_list(registration.meeting_id),
    )
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"  # names with accents and emoji
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@require_POST
@login_required
def me_contact_sharing_withdraw(request):
    withdrawn = contact_sharing_withdraw(selectors.own_registrations(request.user))
    if withdrawn:
        messages.success(
            request,
            _(
                "Done: you are in no contact list sent from now on. Copies already sent "
                "cannot be recalled."
            ),
        )
    return redirect("me:home")


@require_POST
@login_required
def me_network_news(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    given = request.POST.get("given") == "1"
    network_news_set(person, given)
    if given:
        messages.success(request, _("You will receive the network's news."))
    else:
        messages.success(request, _("You will no longer receive the network's news."))
    return redirect("me:home")


@require_safe
def privacy_notice(request):
    """The text organisers adapt: `registrations/privacy/notice_<lang>.html`, else
    `registrations/privacy/notice.html`, in TEMPLATE_OVERRIDES_DIR."""
    language = translation.get_language()
    context = {
        "notice_templates": [
            f"registrations/privacy/notice_{language}.html",
            "registrations/privacy/notice.html",
        ],
        "version": consent_version(Consent.Kind.PRIVACY_NOTICE),
        # The periods the retention rules apply, so that the notice says what runs.
        "notes_days": settings.RETENTION_NOTES_DAYS,
        "cancelled_days": settings.RETENTION_CANCELLED_DAYS,
        "retention_months": settings.RETENTION_MONTHS,
    }
    return render(request, "registrations/privacy/page.html", context)
