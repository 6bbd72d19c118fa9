"""The registrants' pages (invitation, form, manage, ticket), the door and the feed."""

from django.urls import include, path

from . import checkin_views, views

# Outside the language prefix: a calendar subscribes to one address whatever its language.
feed_urls = [
    path("calendar/r/<str:token>.ics", views.registration_feed, name="calendar_registration"),
]

registration_patterns = [
    path("i/<str:token>/", views.invitation_open, name="invitation"),
    path("meetings/<int:meeting_id>/register/", views.registration_form, name="register"),
    path("r/<str:token>/", views.registration_manage, name="manage"),
    path("r/<str:token>/cancel/", views.registration_cancel, name="cancel"),
    path("r/<str:token>/qr.png", views.ticket_qr, name="ticket_qr"),
    path("r/<str:token>/ticket.pdf", views.ticket_download, name="ticket_pdf"),
    path(
        "r/<str:token>/documents/<int:document_id>/",
        views.registration_document,
        name="document",
    ),
]
door_patterns = [
    path("door/meetings/<int:meeting_id>/", checkin_views.door_scanner, name="door"),
]
urlpatterns = [
    path("", include((registration_patterns, "registrations"))),
    path("", include((door_patterns, "door"))),
]
