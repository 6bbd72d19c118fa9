"""Public pages of registration: the form, the personal manage page and what hangs off it
(QR code, PDF ticket, personal calendar), and the invitation link.

The manage link stands in for an account: whoever holds it sees and changes that one
registration, so these pages are never cached by anyone but the person's browser.
"""

import hashlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from events_site.kit.http_errors import http_status
from events_site.kit.text import email_masked
from meetings import selectors as meeting_selectors
from meetings.calendar import calendar_build
from meetings.downloads import document_response
from meetings.errors import DocumentNotVisible, UnknownDocument, UnknownMeeting

from . import selectors
from .errors import (
    InvalidRegistration,
    RegistrationClosed,
    RegistrationsError,
    UnknownInvitation,
    UnknownRegistration,
)
from .forms import RegistrationForm, RegistrationUpdateForm
from .models import Registration
from .services import invitations as invitations_services
from .services import registration as registration_services
from .services.registration import (
    already_registered_message,
    registration_create,
    registration_problem,
    registration_update,
)
from .services.seats import meeting_over
from .throttles import form_throttle
from .tickets import ticket_pdf, ticket_qr_png


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _registration(token: str) -> Registration:
    try:
        return selectors.registration_by_token(token)
    except UnknownRegistration:
        raise Http404 from None


def _form_errors(form, exc: InvalidRegistration) -> None:
    for name, errors in exc.errors.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def invitation_open(request, token: str):
    """Record that the invitee came, and take them to the registration form, prefilled."""
    try:
        invitation = invitations_services.invitation_open(token)
    except UnknownInvitation:
        raise Http404 from None
    response = redirect("registrations:register", meeting_id=invitation.meeting_id)
    response["Location"] += f"?invitation={invitation.token}"
    return _private(response)


@require_http_methods(["GET", "HEAD", "POST"])
def registration_form(request, meeting_id: int):
    try:
        meeting = meeting_selectors.meeting_get_public(meeting_id)
    except UnknownMeeting:
        raise Http404 from None
    context = {"meeting": meeting, "closed": registration_problem(meeting)}
    if context["closed"]:
        # The refusal the service would raise on sending, with the API's status.
        status = http_status(RegistrationClosed)
        return render(request, "registrations/register.html", context, status=status)

    token = request.POST.get("invitation") or request.GET.get("invitation")
    invitation = selectors.invitation_for_meeting(meeting, token)
    initial = {"language": translation.get_language()}
    if invitation is not None:
        person = invitation.person
        initial.update(
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            function=person.function,
            organisation=person.organisation_id,
            invitation=invitation.token,
        )
    form = RegistrationForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_valid() and not form_throttle.allow_request(request):
        form.add_error(
            None,
            _("Too many registrations from your connection: wait a minute, then send again."),
        )
        status = 429
    elif form.is_valid():
        try:
            registration, created = registration_create(
                meeting,
                data=form.registration_data(),
                invitation_token=invitation.token if invitation else None,
            )
        except InvalidRegistration as exc:
            _form_errors(form, exc)
            status = 422
        except RegistrationsError as exc:
            # The window closed, or the meeting was cancelled, while the form was open.
            context["closed"] = exc.message
            return render(request, "registrations/register.html", context, status=http_status(exc))
        else:
            if not created:
                # The same answer whoever asks: the registration's owner gets the link.
                context["message"] = already_registered_message()
                return render(request, "registrations/already_registered.html", context)
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("Thank you: your registration is confirmed."))
            else:
                messages.info(request, _("Thank you: you are on the waiting list."))
            messages.info(
                request,
                _("We are sending an email with the link to this page to %(address)s.")
                % {"address": email_masked(registration.email)},
            )
            return redirect("registrations:manage", token=registration.manage_token)
    elif form.is_bound:
        status = 422
    context.update(form=form, invitation=invitation, full=meeting.seats_left == 0)
    response = render(request, "registrations/register.html", context, status=status)
    # Prefilled from an invitation, the page holds someone's details.
    return _private(response) if invitation else response


@require_http_methods(["GET", "HEAD", "POST"])
def registration_manage(request, token: str):
    registration = _registration(token)
    form = RegistrationUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(registration, name) for name in RegistrationUpdateForm.base_fields},
    )
    status = 200
    if form.is_valid():
        try:
            registration_update(registration, form.cleaned_data)
        except InvalidRegistration as exc:
            _form_errors(form, exc)
            status = 422
        except RegistrationsError as exc:
            messages.error(request, exc.message)
            return redirect("registrations:manage", token=token)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("registrations:manage", token=token)
    elif form.is_bound:
        status = 422
    context = {
        "registration": registration,
        "meeting": registration.meeting,
        "position": selectors.waitlist_position(registration),
        "form": form,
        "changeable": registration.status != Registration.Status.CANCELLED
        and not meeting_over(registration.meeting),
        "documents": meeting_selectors.meeting_documents(
            registration.meeting, selectors.registration_viewer(registration)
        ),
    }
    return _private(render(request, "registrations/manage.html", context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, token: str):
    """A page that asks first; the cancellation itself is a POST."""
    registration = _registration(token)
    if request.method == "POST":
        try:
            registration_services.registration_cancel(registration)
        except RegistrationsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect("registrations:manage", token=token)
    if registration.status == Registration.Status.CANCELLED:
        return redirect("registrations:manage", token=token)
    context = {"registration": registration, "meeting": registration.meeting}
    return _private(render(request, "registrations/cancel.html", context))


def _confirmed(token: str) -> Registration:
    """Only a confirmed registration has a ticket to show."""
    registration = _registration(token)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    return registration


@require_safe
def ticket_qr(request, token: str):
    response = HttpResponse(ticket_qr_png(_confirmed(token)), content_type="image/png")
    patch_cache_control(response, private=True, max_age=300)
    return response


@require_safe
def ticket_download(request, token: str):
    registration = _confirmed(token)
    response = HttpResponse(ticket_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ticket-{registration.meeting_id}.pdf"'
    return _private(response)


@require_safe
def registration_document(request, token: str, document_id: int):
    """A document of the registration's meeting, for its confirmed participant. The link
    is the manage token's: it opens that one meeting's documents, never another's."""
    registration = _registration(token)
    try:
        document = meeting_selectors.document_get_visible(
            document_id, selectors.registration_viewer(registration)
        )
    except (UnknownDocument, DocumentNotVisible):
        raise Http404 from None
    if document.meeting_id != registration.meeting_id:
        raise Http404
    return document_response(document, shared=False)


@require_safe
def registration_feed(request, token: str):
    """The person's own iCal feed: every meeting their address is registered for.

    In the language of the registration, unless `?lang=` asks for another.
    """
    registration = _registration(token)
    lang = request.LANGUAGE_CODE if "lang" in request.GET else registration.language
    with translation.override(lang):
        name = _("My proximity meetings")
    body = calendar_build(
        selectors.registrant_meetings(registration), name=name, lang=lang
    ).to_ical()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="my-meetings.ics"'
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=300)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
