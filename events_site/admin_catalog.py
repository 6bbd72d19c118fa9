"""Strings of Django's admin that its Dutch catalogs lack.

Django falls back to the default language, French, for a string its nl catalog does not
have: the Dutch admin then shows "Nom du modèle" to screen readers. Listed here, they
enter the project's catalog (make messages), whose nl translations come first. The
admin's scripts' strings (the two-list pickers) are in locale/nl/LC_MESSAGES/djangojs.po,
kept by hand, since no script of this site uses gettext.
"""

from django.utils.translation import gettext_noop

ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)
