from django.conf import settings
from django.urls import translate_url


def languages(request):
    """Links to the current page in every language, for the switcher on each page."""
    path = request.get_full_path()
    return {
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ],
        "site_url": settings.SITE_URL,
    }
