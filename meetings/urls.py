"""The programme's pages (public programme and meetings, sign-in) and its iCal feeds."""

from django.urls import include, path

from . import feeds, signin_views, views

# Outside the language prefix: a calendar subscribes to one address whatever its language.
feed_urls = [
    path("calendar/<int:year>.ics", feeds.programme_feed, name="calendar_programme"),
    path("calendar/meetings/<int:meeting_id>.ics", feeds.meeting_feed, name="calendar_meeting"),
]

meeting_patterns = [
    path("programme/", views.programme_current, name="programme_current"),
    path("programme/<int:year>/", views.programme_detail, name="programme"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
    path("archive/", views.archive, name="archive"),
]
signin_patterns = [
    path("signin/", signin_views.signin_request, name="request"),
    path("signin/<str:token>/", signin_views.signin_use, name="use"),
    path("signout/", signin_views.signout, name="signout"),
]
urlpatterns = [
    path("", include((meeting_patterns, "meetings"))),
    path("", include((signin_patterns, "signin"))),
]
