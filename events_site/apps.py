from django.apps import AppConfig


class EventsSiteConfig(AppConfig):
    name = "events_site"
    verbose_name = "Site"
