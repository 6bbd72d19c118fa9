"""Everyone the network knows (the directory, and whoever registered) signs in with a
one-time link emailed to them: no password to remember.

The link itself only shows a button: the link is spent by the POST it sends. Mail
scanners and link previews open every link in an email, and would otherwise spend it
before the mayor clicks.
"""

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events_site.kit.throttles import AddressThrottle

from . import auth
from .models import LoginLink
from .services import signin


class SigninThrottle(AddressThrottle):
    """Links asked for from one connection, whatever the addresses typed: the per-address
    ration (`signin.LOGIN_LINKS_PER_HOUR`) alone lets one machine mail every facilitator."""

    scope = "signin"
    rate_setting = "SIGNIN_THROTTLE_RATE"


signin_throttle = SigninThrottle()


@require_http_methods(["GET", "POST"])
def signin_request(request):
    next_url = auth.safe_next(request.POST.get("next") or request.GET.get("next", ""), request)
    context = {"next": next_url, "sent": False, "error": ""}
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            context["error"] = _("Type the email address the organisers know you by.")
            return render(request, "meetings/signin/request.html", context, status=422)
        if not signin_throttle.allow_request(request):
            context["error"] = _(
                "Too many sign-in links asked for from your connection: wait a while, "
                "then try again."
            )
            return render(request, "meetings/signin/request.html", context, status=429)
        signin.login_link_request(email, next_url)
        # The same answer whoever asks: the form tells nobody who facilitates.
        context.update(sent=True, email=email, minutes=LoginLink.ttl_minutes())
    return render(request, "meetings/signin/request.html", context)


@require_http_methods(["GET", "POST"])
def signin_use(request, token: str):
    if request.method == "GET":
        return render(request, "meetings/signin/use.html", {"token": token})
    try:
        user, next_url = signin.login_link_use(token)
    except signin.LoginLinkInvalid as exc:
        return render(
            request, "meetings/signin/use.html", {"token": token, "error": exc.message}, status=400
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(auth.safe_next(next_url, request) or _landing(user))


def _landing(user) -> str:
    """Facilitators (and organisers) land on their meetings to run, everyone else on
    their own space."""
    if auth.is_organiser(user) or auth.facilitated_meetings(user).exists():
        return reverse("facilitate:home")
    return reverse("me:home")


@require_POST
def signout(request):
    logout(request)
    return redirect("signin:request")
