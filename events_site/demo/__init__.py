"""The demo site, loaded by `manage.py load_demo`: it lives at the composition root because
it spans every app (the network through meetings, its past meeting through registrations
and workshops), and no domain app may import the ones above it."""
