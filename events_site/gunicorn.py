"""gunicorn's settings for this site: `gunicorn -c python:events_site.gunicorn events_site.wsgi`.

The arrangement the benchmarks measure (`tests/bench/bench_registration.py`): a process
per core, each with a few threads, so that a core keeps working while a request waits on
PostgreSQL (a meeting's row lock above all) or on Redis. Each can be changed from the
environment without editing this file.
"""

import os

from gunicorn import glogging

from events_site.kit.client import client_address_of_environ, trusted_proxies_from_environment
from events_site.settings import LOGGING

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Behind a load balancer that keeps connections open; the default 2 s closes them early.
keepalive = 5

# X-Forwarded-Proto (and the other secure-scheme headers) only from our load balancers,
# the list the site itself trusts; empty: from nobody (gunicorn's default trusts 127.0.0.1).
forwarded_allow_ips = ",".join(trusted_proxies_from_environment())

# The access log goes through the site's logging, so that its one filter keeps tokens
# out of it (events_site/kit/logs.py), and names the client as the throttles count it.
logconfig_dict = {
    **LOGGING,
    "loggers": {
        name: {"level": "INFO", "handlers": ["console"], "propagate": False}
        for name in ("gunicorn.error", "gunicorn.access")
    },
}


class Logger(glogging.Logger):
    """gunicorn's logger, with `%(h)s` the client address of `events_site.kit.client`
    rather than the load balancer's."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = client_address_of_environ(environ)
        return atoms


logger_class = Logger
