from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The booklet email's renderer must exist in the worker, the receivers in the web
        # process that closes workshops.
        from . import emails, receivers  # noqa: F401
