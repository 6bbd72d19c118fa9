"""Apply the retention rules now, or see what they would do (`--dry-run`)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registrations.services.retention import (
    CANCELLED_ANONYMISED,
    DELIVERIES_STRIPPED,
    HELD_ANONYMISED,
    NOTES_DELETED,
    WEBHOOK_CALLS_DELETED,
)
from workshops.services.retention import (
    POLL_ANSWERS_ANONYMISED,
    SIGNATURES_REMOVED,
    SIGNIN_LINKS_DELETED,
    WORDS_ANONYMISED,
    retention_apply,
)


def rule_label(code: str) -> str:
    return {
        NOTES_DELETED: _("accessibility and dietary notes deleted"),
        CANCELLED_ANONYMISED: _("cancelled registrations anonymised"),
        HELD_ANONYMISED: _("registrations of held meetings anonymised"),
        DELIVERIES_STRIPPED: _("emails stripped of their recipient"),
        WEBHOOK_CALLS_DELETED: _("webhook calls deleted"),
        SIGNATURES_REMOVED: _("post-its of held meetings unsigned"),
        POLL_ANSWERS_ANONYMISED: _("poll answers of held meetings made anonymous"),
        WORDS_ANONYMISED: _("words of held meetings made anonymous"),
        SIGNIN_LINKS_DELETED: _("spent sign-in links deleted"),
    }[code]


class Command(BaseCommand):
    help = gettext_lazy(
        "Apply the retention rules (the RETENTION_* settings) and print how many rows "
        "each one changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Count what each rule would change, and change nothing."),
        )

    def handle(self, *args, dry_run, **options):
        counts = retention_apply(dry_run=dry_run)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        for code, count in counts.items():
            self.stdout.write(f"{rule_label(code)}: {count}")
