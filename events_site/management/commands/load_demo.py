"""Load the demo network: `python manage.py load_demo` brings up a site worth clicking through."""

import os

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_site.demo import network as demo


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
