import os

import django
from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
django.setup(set_prefix=False)

from events_site.kit.fast_handler import FastPathHandler  # noqa: E402 (the apps loaded first)

# Django's handler (`get_wsgi_application`), with the hottest requests offered to their
# fast views in front of its middleware chain (`events_site.kit.fast_handler`).
application = FastPathHandler()

# Import the URLconf (every app's views and the API's routers with their schemas) as the
# worker starts, before it takes a request, rather than in the first request each worker
# answers: that request took 2–3 s on the loaded 2-core machine (`bench_scale` (f)).
# Then its reverse lookups in each language, which Django builds on the first `reverse`
# in each (the pages' links and language switcher): a worker's first page built took
# 60–70 ms more for them, five times a page's build (`bench_scale` (f)).
resolver = get_resolver()
for language, _name in settings.LANGUAGES:
    with translation.override(language):
        resolver.reverse_dict  # noqa: B018 (reading it builds it)
