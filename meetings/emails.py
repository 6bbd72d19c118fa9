"""The emails of the programme domain, and the one shape of an email to a person.

Renderers run in the worker, long after the cause was committed: they read the current
state of the programme, so a message always shows the latest titles and times.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tasks.models import Delivery
from tasks.outbox import DeliverySpec, PermanentFailure, message_build, renderer

from .models import LoginLink, Meeting, Person, Programme


def email_delivery(
    recipient, *, kind: str, key: str, language: str, reply_to: str = "", **references
) -> DeliverySpec:
    """The one shape of an email to someone: the address and name they gave (`email`
    and `full_name` of a person in the directory, or of a registration as typed), in
    their language.

    `references` are the outbox's links (person_id, meeting_id, programme_id, context).
    """
    return DeliverySpec(
        kind=kind,
        key=key,
        to_email=recipient.email,
        to_name=recipient.full_name,
        language=language,
        reply_to=reply_to,
        **references,
    )


def person_delivery(
    person: Person, *, kind: str, key: str, reply_to: str = "", **references
) -> DeliverySpec:
    """An email to someone in the directory, in the language they prefer."""
    return email_delivery(
        person,
        kind=kind,
        key=key,
        language=person.preferred_language,
        reply_to=reply_to,
        person_id=person.pk,
        **references,
    )


def site_link(view: str, *args, query: str = "") -> str:
    """An absolute link for an email, in the active language."""
    return f"{settings.SITE_URL}{reverse(view, args=args)}{query}"


@renderer("announcement")
def announcement_render(delivery: Delivery):
    programme = Programme.objects.filter(pk=delivery.programme_id).first()
    if programme is None:
        raise PermanentFailure("The programme of this announcement no longer exists.")
    with translation.override(delivery.language):
        meetings = list(
            programme.meetings.filter(status=Meeting.Status.PUBLISHED).order_by("starts_at", "pk")
        )
        subject = _("%(title)s: the programme is published") % {"title": programme.title}
        context = {
            "name": delivery.to_name,
            "programme": programme,
            "meetings": meetings,
            "programme_url": site_link("meetings:programme", programme.year),
            "feed_url": site_link(
                "calendar_programme", programme.year, query=f"?lang={delivery.language}"
            ),
        }
    return message_build(
        delivery, subject=subject, template="meetings/email/announcement", context=context
    )


@renderer("login_link")
def login_link_render(delivery: Delivery):
    link = LoginLink.objects.filter(pk=delivery.context.get("link")).first()
    if link is None:
        raise PermanentFailure("The sign-in link of this email no longer exists.")
    with translation.override(delivery.language):
        subject = _("Your sign-in link")
        context = {
            "login_url": site_link("signin:use", link.token),
            "minutes": LoginLink.ttl_minutes(),
        }
    return message_build(
        delivery, subject=subject, template="meetings/email/login_link", context=context
    )
