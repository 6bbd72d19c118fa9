"""The projector and the participants' phones.

Both pages are rendered from the same cached timer state the API serves, then kept up
to date by `timer.js`, which polls `GET /api/workshops/{id}/timer`. Nothing lives in
the page alone: a reload (or a phone that slept through a round) shows the same thing.

The projector is a facilitator's laptop on the wall: it needs their session. A phone
needs nothing but the table's QR code: the token in its URL is its credential, which
the page passes on to the API in the `X-Table-Token` header, with the identity the page
gives the phone (`devices`) in `X-Device`.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import devices, selectors
from .errors import UnknownTable
from .models import CONTRIBUTION_MAX_LENGTH, Table, Workshop
from .services.timer import timer_state

# The console's access rule, shared with the screens.
from .views import workshop_view

CONTENT_LANGUAGES = ("fr", "nl")


def _in_both(message: str) -> dict[str, str]:
    """A sentence in French and in Dutch at once, for a room that reads both."""
    texts = {}
    for language in CONTENT_LANGUAGES:
        with translation.override(language):
            texts[language] = _(message)
    return texts


def _content_language() -> str:
    """The content language a page in the current interface language shows (English
    readers get French content)."""
    language = translation.get_language() or "fr"
    return language if language in CONTENT_LANGUAGES else CONTENT_LANGUAGES[0]


def _clock(workshop_id: int) -> dict:
    """What the page shows before its first poll: the state, its phase and time left."""
    state = timer_state(workshop_id)
    remaining = selectors.timer_remaining_s(state, timezone.now())
    phase = state["state"]
    if phase == "finished" or (phase == "running" and remaining <= 0):
        phase = "ended"
    elif phase == "running" and remaining <= 60:
        phase = "last-minute"
    return {
        "state": state,
        "phase": phase,
        "remaining_ms": int(remaining * 1000),
        "display": selectors.countdown_display(remaining),
        "status": _countdown_text().get(phase, ""),
    }


def _api_urls(workshop_id: int) -> dict[str, str]:
    """The workshop's API addresses both screens' scripts poll; a round's are under
    `rounds` + its id (its poll, its answers, its results)."""
    root = reverse("api:api-root")
    workshop_api = f"{root}workshops/{workshop_id}/"
    return {
        "timer": f"{workshop_api}timer",
        "contributions": f"{workshop_api}contributions",
        "rounds": f"{root}rounds/",
    }


def _countdown_text() -> dict[str, str]:
    return {
        "idle": _("The facilitators have not started a round yet."),
        "planned": _("Ready to start"),
        "paused": _("Paused"),
        "network": _("No answer from the server: the countdown may be out of date."),
        # What screen readers hear each minute, at ten seconds, and at the end.
        "announce_left": _("Time left: %(time)s"),
        "announce_end": _(TIME_IS_UP),
    }


# Shown in both languages on the projector, whatever the page language.
TIME_IS_UP = gettext_noop("Time is up!")
RESULTS_WAITING = gettext_noop("The results will show once the facilitators reveal them.")
ANSWERS = gettext_noop("answers")
WORKSHOP_CLOSED = gettext_noop("This workshop is closed.")


@workshop_view()
def projector(request, workshop: Workshop):
    clock = _clock(workshop.pk)
    text = {
        **_countdown_text(),
        "time_is_up": _in_both(TIME_IS_UP),
        "closed": _in_both(WORKSHOP_CLOSED),
        "signed_out": _("Your session has ended: reload the page and sign in again."),
        "answers": _in_both(ANSWERS),
        "cloud": _("Word cloud"),
    }
    # The cloud of round 0 is a pattern the script fills with the round on the clock.
    cloud_url = reverse("screen:cloud", args=[workshop.pk, 0]).replace("/0/", "/{round}/")
    return render(
        request,
        "workshops/screen/projector.html",
        {
            "workshop": workshop,
            "clock": clock,
            "round": clock["state"]["round"],
            "latest": selectors.latest_contributions(workshop.pk),
            "time_is_up": text["time_is_up"],
            "closed": text["closed"],
            "screen_text": text,
            "urls": {**_api_urls(workshop.pk), "cloud": cloud_url},
            "latest_count": selectors.LATEST_POSTITS,
            "waiting": _in_both(RESULTS_WAITING),
        },
    )


def _phone_text() -> dict[str, str]:
    """The phone script's wording, in the page's language (it builds no sentence itself)."""
    return {
        **_countdown_text(),
        "time_is_up": _(TIME_IS_UP),
        "closed": _("This workshop is closed: thank you for your ideas."),
        "chars_left": _("Characters left: %(count)s"),
        "chars_over": _("Characters over the limit: %(count)s"),
        "sending": _("Sending…"),
        "sent": _("Your post-it is on the board. Thank you!"),
        "refused": _("The server refused this post-it."),
        "dots_left": _("Dots left: %(count)s"),
        "dot": _("Put a dot"),
        "undot": _("Take the dot back"),
        "no_postits": _("No post-it to vote on yet."),
        "vote_closed": _("The vote is not open yet."),
        "stale": _(
            "This table's QR code is not valid any more: scan the code on your table again."
        ),
        "poll_single": _("Choose one answer."),
        "poll_multiple": _("Choose one or more answers."),
        "poll_multiple_max": _("Choose up to %(count)s answers."),
        "poll_scale": _("From 1 (not at all) to 5 (completely)."),
        "words_help": _("Up to %(count)s words or short phrases, in your language."),
        "word_label": _("Word or short phrase %(count)s"),
        "answered": _("Thank you: your answer is in."),
        "answer_sent": _("Sent. Thank you!"),
    }


def _phone_device(request, table: Table) -> str:
    """The phone's signed identity at this table: the one its cookie keeps if this site
    issued it for this table's current token, else a new one."""
    kept = request.COOKIES.get(devices.cookie_name(table.pk), "")
    if devices.device_verify(kept, table.token) is not None:
        return kept
    return devices.device_issue(table.pk, table.token)


def phone(request, token: str):
    try:
        table = selectors.table_by_token(token)
    except UnknownTable as exc:
        return render(
            request, "workshops/screen/phone_unknown.html", {"message": exc.message}, status=404
        )
    device = _phone_device(request, table)
    workshop = table.workshop
    clock = _clock(workshop.pk)
    round_ = clock["state"]["round"]
    language = _content_language()
    round_title = round_["title"][language] if round_ else ""
    question = round_["question"]["text"][language] if round_ and round_["question"] else ""
    response = render(
        request,
        "workshops/screen/phone.html",
        {
            "table": table,
            "device": device,
            "workshop": workshop,
            "clock": clock,
            "round_title": round_title,
            "question": question,
            "content_language": language,
            "max_length": CONTRIBUTION_MAX_LENGTH,
            "screen_text": _phone_text(),
            "urls": {
                **_api_urls(workshop.pk),
                "votes": f"{reverse('api:api-root')}contributions/",
            },
        },
    )
    # The page carries the phone's identity: no shared cache may hand it to another.
    patch_cache_control(response, private=True, no_store=True)
    response.set_cookie(
        devices.cookie_name(table.pk),
        device,
        max_age=devices.COOKIE_MAX_AGE_S,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
