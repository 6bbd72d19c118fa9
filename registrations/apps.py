from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    label = "registrations"
    verbose_name = _("Invitations and registrations")

    def ready(self):
        # The renderers and the receivers of meeting changes must exist in every process:
        # the worker renders, the web process queues.
        from meetings.services.signin import signer_finder

        from . import emails, receivers, selectors  # noqa: F401

        # Whoever registered may sign in to their own space, though not in the directory.
        signer_finder(selectors.registrant_signer)
