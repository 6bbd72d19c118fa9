"""Give an organiser a key for `Authorization: Bearer`, for scripts and imports."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.auth import api_key_create, is_organiser


class Command(BaseCommand):
    help = gettext_lazy(
        "Create an API key for an organiser and print it once: only its digest is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help=gettext_lazy("What the key is for."))

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                _("There is no user “%(username)s”.") % {"username": username}
            ) from None
        if not is_organiser(user):
            raise CommandError(
                _(
                    "“%(username)s” is not an organiser: the API would refuse the key. Make "
                    "the user active staff in the “organisers” group first."
                )
                % {"username": username}
            )
        key, raw = api_key_create(user, name)
        self.stderr.write(
            _(
                "API key %(prefix)s… created for %(username)s. "
                "Copy it now, it will not be shown again:"
            )
            % {"prefix": key.prefix, "username": username}
        )
        self.stdout.write(raw)
