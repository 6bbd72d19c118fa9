"""gunicorn's settings for this site: `gunicorn -c python:events_site.gunicorn events_site.wsgi`.

The arrangement the benchmarks measure (`tests/bench/bench_registration.py`): a process
per core, each with a few threads, so that a core keeps working while a request waits on
PostgreSQL (a meeting's row lock above all) or on Redis. Each can be changed from the
environment without editing this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Behind a load balancer that keeps connections open; the default 2 s closes them early.
keepalive = 5
