"""The workshop pages: the facilitator's console and seating plan, the projector, the phones."""

from django.urls import include, path

from . import poll_views, privacy_views, screen_views, seating_views, views

facilitate_patterns = [
    path("facilitate/", views.home, name="home"),
    path("facilitate/meetings/<int:meeting_id>/workshops/", views.workshop_create, name="create"),
    path("facilitate/workshops/<int:workshop_id>/", views.console, name="console"),
    path("facilitate/workshops/<int:workshop_id>/tables/", views.tables_add, name="tables_add"),
    path(
        "facilitate/workshops/<int:workshop_id>/synthesis/",
        views.synthesis_save,
        name="synthesis",
    ),
    path(
        "facilitate/workshops/<int:workshop_id>/tables/<int:pk>/qr.svg",
        views.table_qr,
        name="qr",
    ),
    path(
        "facilitate/workshops/<int:workshop_id>/rounds/<int:pk>/move/",
        views.round_move,
        name="round_move",
    ),
]
_PLAN_ROUTES = [
    ("facilitate/workshops/<int:workshop_id>/{part}/", views.plan_add, "add"),
    ("facilitate/workshops/<int:workshop_id>/{part}/<int:pk>/", views.plan_update, "update"),
    (
        "facilitate/workshops/<int:workshop_id>/{part}/<int:pk>/delete/",
        views.plan_delete,
        "delete",
    ),
]
_POLL = "facilitate/workshops/<int:workshop_id>/polls/<int:round_id>/"
facilitate_patterns += [
    path(f"{_POLL}options/", poll_views.option_add, name="poll_option_add"),
    path(f"{_POLL}options/<int:pk>/delete/", poll_views.option_delete, name="poll_option_delete"),
    path(f"{_POLL}reveal/", poll_views.reveal, name="poll_reveal"),
    path(f"{_POLL}words/hide/", poll_views.word_hide, name="word_hide"),
]
facilitate_patterns += [
    path(route.format(part=part), view, {"part": part}, name=f"{part}_{suffix}")
    for part in views.PLAN
    for route, view, suffix in _PLAN_ROUTES
]
screen_patterns = [
    path("screen/workshops/<int:workshop_id>/", screen_views.projector, name="projector"),
    path("t/<str:token>/", screen_views.phone, name="phone"),
    path(
        "screen/workshops/<int:workshop_id>/rounds/<int:round_id>/cloud.svg",
        poll_views.cloud_image,
        name="cloud",
    ),
]
seating_patterns = [
    path("facilitate/workshops/<int:workshop_id>/seating/", seating_views.plan, name="plan"),
    path("facilitate/workshops/<int:workshop_id>/tables.pdf", seating_views.cards, name="cards"),
]
# A person's own data: no namespace, beside the `/me/` pages of the other apps.
privacy_patterns = [
    path("me/data/", privacy_views.me_data, name="me_data"),
    path("me/data.json", privacy_views.me_data_json, name="me_data_json"),
    path("me/erase/", privacy_views.me_erase, name="me_erase"),
]
urlpatterns = [
    path("", include((facilitate_patterns, "facilitate"))),
    path("", include((screen_patterns, "screen"))),
    path("", include((seating_patterns, "seating"))),
    *privacy_patterns,
]
