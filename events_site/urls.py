from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from meetings import feeds
from meetings import views as meeting_views
from reports import views as report_views

from .api import api
from .views import healthz

urlpatterns = [
    path("api/", api.urls),
    path("calendar/<int:year>.ics", feeds.programme_feed, name="calendar_programme"),
    path("calendar/meetings/<int:meeting_id>.ics", feeds.meeting_feed, name="calendar_meeting"),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", RedirectView.as_view(pattern_name="meetings:programme_current"), name="home"),
    path("admin/", admin.site.urls),
    meeting_views.urls,
    report_views.urls,
)
