from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from meetings import urls as meeting_urls
from registrations import door_scan, registration_rush
from registrations import urls as registration_urls
from reports import urls as report_urls
from workshops import timer_poll
from workshops import urls as workshop_urls

from .api import api
from .kit.fast_paths import fast_path
from .views import API_PREFIX, accessibility_statement, healthz, unknown_language

handler400 = "events_site.views.bad_request"
handler404 = "events_site.views.page_not_found"
handler500 = "events_site.views.server_error"

API_URLS = api.urls
_API = API_PREFIX.lstrip("/")

urlpatterns = [
    # The site's most frequent requests, the phones' poll of the timer, a door's scans and
    # a rush's registrations, are matched before the API's hundred patterns and answered
    # before its machinery; anything else at their address goes on to the documented
    # operation (`events_site.kit.fast_paths`).
    path(
        _API,
        include(
            [
                fast_path(api, timer_poll.ROUTE, timer_poll.phone_poll),
                fast_path(api, door_scan.ROUTE, door_scan.organiser_scan),
                fast_path(api, registration_rush.ROUTE, registration_rush.new_registration),
            ]
        ),
    ),
    path(_API, API_URLS),
    *meeting_urls.feed_urls,
    *registration_urls.feed_urls,
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", RedirectView.as_view(pattern_name="meetings:programme_current"), name="home"),
    path("admin/", admin.site.urls),
    path("accessibility/", accessibility_statement, name="accessibility"),
    *meeting_urls.urlpatterns,
    *registration_urls.urlpatterns,
    *report_urls.urlpatterns,
    *workshop_urls.urlpatterns,
)

# Only prefixes of languages we do not speak: a match on /fr/… would make every path
# look valid to LocaleMiddleware, which would then redirect 404s instead of answering them.
_KNOWN = "|".join(code for code, _name in settings.LANGUAGES)
urlpatterns += [
    re_path(
        rf"^(?!(?:{_KNOWN})/)(?P<lang>[a-z]{{2}}(?:-[a-z0-9]{{2,8}})?)/(?P<rest>.*)$",
        unknown_language,
    ),
]
