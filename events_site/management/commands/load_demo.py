"""Load the demo network: `python manage.py load_demo` brings up a site worth clicking through."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.demo import network as demo
from meetings.models import CoFacilitator, Meeting


class Command(BaseCommand):
    help = gettext_lazy(
        "Load a demo network of the Lille–Kortrijk–Tournai area (municipalities, people, "
        "themes, a programme with a past meeting and next year's programme) and an organiser "
        "account. Running it again "
        "changes nothing. The organiser's password comes from DEMO_ORGANISER_PASSWORD, or "
        "is generated and printed once."
    )

    def handle(self, *args, **options):
        summary = demo.load(organiser_password=os.environ.get("DEMO_ORGANISER_PASSWORD"))
        self.stdout.write(
            _(
                "Demo network: %(organisations)d organisations, %(people)d people, "
                "%(themes)d themes."
            )
            % {
                "organisations": summary.organisations,
                "people": summary.people,
                "themes": summary.themes,
            }
        )
        for year, published, cancelled in summary.programmes:
            self.stdout.write(
                _("Programme %(year)d: meetings published %(published)d, cancelled %(cancelled)d.")
                % {"year": year, "published": published, "cancelled": cancelled}
            )
        if summary.generated_password:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Organiser account “%(username)s” created with password %(password)s "
                        "(shown only this once)."
                    )
                    % {"username": demo.ORGANISER_USERNAME, "password": summary.generated_password}
                )
            )
        elif summary.organiser_created:
            self.stdout.write(
                _("Organiser account “%(username)s” created with DEMO_ORGANISER_PASSWORD.")
                % {"username": demo.ORGANISER_USERNAME}
            )
        else:
            self.stdout.write(
                _("Organiser account “%(username)s” already exists.")
                % {"username": demo.ORGANISER_USERNAME}
            )
        self.stdout.write(self.style.SUCCESS(_("Demo data ready.")))
        self._welcome(summary.generated_password)

    def _welcome(self, password: str | None) -> None:
        """What a person needs to start clicking, in French then in Dutch, last, so that
        it is not lost among the start-up lines (the demo's emails go to a folder)."""
        meeting = next(
            (
                meeting
                for meeting in Meeting.objects.filter(
                    status=Meeting.Status.PUBLISHED, starts_at__gt=timezone.now()
                ).order_by("starts_at")
                if meeting.registration_is_open
            ),
            None,
        )
        facilitator = (
            CoFacilitator.objects.filter(meeting=meeting).select_related("person").first()
            if meeting
            else None
        )
        self.stdout.write("─" * 72)
        for lang in ("fr", "nl"):
            with translation.override(lang):
                self.stdout.write(_("Open %(url)s") % {"url": f"{settings.SITE_URL}/{lang}/"})
                self.stdout.write(
                    _("Organiser: %(username)s, password %(password)s, at %(url)s")
                    % {
                        "username": demo.ORGANISER_USERNAME,
                        "password": password or _("the one set before"),
                        "url": settings.SITE_URL + reverse("admin:index"),
                    }
                )
                if facilitator:
                    self.stdout.write(
                        _("Facilitator: sign in as %(email)s at %(url)s")
                        % {
                            "email": facilitator.person.email,
                            "url": settings.SITE_URL + reverse("signin:request"),
                        }
                    )
                if meeting:
                    self.stdout.write(
                        _("Open for registration: %(meeting)s, %(url)s")
                        % {
                            "meeting": meeting.title,
                            "url": settings.SITE_URL
                            + reverse("meetings:meeting", kwargs={"meeting_id": meeting.pk}),
                        }
                    )
                if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
                    self.stdout.write(
                        _("Emails, sign-in links included: %(path)s")
                        % {"path": settings.EMAIL_FILE_PATH}
                    )
            self.stdout.write("─" * 72)
