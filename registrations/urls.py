"""The registrants' pages (invitation, form, manage, ticket), the door, the feed, each
person's own space and the privacy notice."""

from django.urls import include, path

from . import checkin_views, contacts, me_views, views

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
me_patterns = [
    path("me/", me_views.me_home, name="home"),
    *(
        path(
            f"me/meetings/<int:meeting_id>/contacts.{extension}",
            me_views.me_contacts,
            {"extension": extension},
            name=f"contacts_{extension}",
        )
        for extension in contacts.FORMATS
    ),
    path(
        "me/contact-sharing/withdraw/",
        me_views.me_contact_sharing_withdraw,
        name="contact_withdraw",
    ),
    path("me/network-news/", me_views.me_network_news, name="network_news"),
]
urlpatterns = [
    path("", include((registration_patterns, "registrations"))),
    path("", include((door_patterns, "door"))),
    path("", include((me_patterns, "me"))),
    path("privacy/", me_views.privacy_notice, name="privacy"),
]
