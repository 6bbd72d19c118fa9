import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
application = get_wsgi_application()

# Import the URLconf (every app's views and the API's routers with their schemas) as the
# worker starts, before it takes a request, rather than in the first request each worker
# answers: that request took 2–3 s on the loaded 2-core machine (`bench_scale` (f)).
get_resolver().url_patterns  # noqa: B018 (reading it imports it)
