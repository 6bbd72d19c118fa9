"""Import organisations and people from an organiser's spreadsheet, for files too big or
too frequent for the admin's upload form."""

from io import BytesIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.imports import ImportFileError, contacts_import


class Command(BaseCommand):
    help = gettext_lazy(
        "Import organisations and people from a .csv or .xlsx file, matching people by "
        "email. Problems are reported line by line; they skip their row, never the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Check everything and report, but save nothing."),
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read “%(file)s”: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None
        try:
            report = contacts_import(BytesIO(content), filename=path.name, dry_run=dry_run)
        except ImportFileError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(report.summary)
        for problem in report.problems:
            self.stdout.write(self.style.WARNING(str(problem)))
        if dry_run:
            self.stdout.write(self.style.NOTICE(_("Dry run: nothing was saved.")))
