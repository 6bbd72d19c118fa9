from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path, re_path
from django.views.generic import RedirectView

from meetings import feeds, signin_views
from meetings import views as meeting_views
from registrations import checkin_views
from registrations import views as registration_views
from reports import views as report_views
from workshops import privacy_views, seating_views
from workshops import screen_views as workshop_screen_views
from workshops import views as workshop_views

from .api import api
from .views import API_PREFIX, healthz, unknown_language

handler400 = "events_site.views.bad_request"
handler404 = "events_site.views.page_not_found"
handler500 = "events_site.views.server_error"

urlpatterns = [
    path(API_PREFIX.lstrip("/"), api.urls),
    path("calendar/<int:year>.ics", feeds.programme_feed, name="calendar_programme"),
    path("calendar/meetings/<int:meeting_id>.ics", feeds.meeting_feed, name="calendar_meeting"),
    *registration_views.feed_urls,
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", RedirectView.as_view(pattern_name="meetings:programme_current"), name="home"),
    path("admin/", admin.site.urls),
    meeting_views.urls,
    signin_views.urls,
    registration_views.urls,
    checkin_views.urls,
    report_views.urls,
    *workshop_views.urls,
    *workshop_screen_views.urls,
    *seating_views.urls,
    *privacy_views.urls,
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
