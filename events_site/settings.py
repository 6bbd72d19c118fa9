"""Settings for the proximity-meetings site.

Everything that differs between a laptop and a deployment comes from the environment
(DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, ALLOWED_HOSTS, SITE_URL). With none of
them set, the embedded default applies: SQLite, Celery in eager mode, console email.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from events_site.kit.client import trusted_proxies_from_environment
from events_site.kit.storage import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _local_secret_key() -> str:
    """A per-checkout key kept out of the repository, so the embedded default needs no setup."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "axes",
    # Only for its templates and static files: /api/docs serves Swagger UI from this site,
    # not from a CDN.
    "ninja",
    "events_site",
    "meetings",
    "registrations",
    "workshops",
    "reports",
    "tasks",
]

MIDDLEWARE = [
    "events_site.kit.client.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "events_site.kit.middleware.QueryLanguageMiddleware",
    "events_site.kit.input_guard.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "events_site.urls"
WSGI_APPLICATION = "events_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Organisers adapt a page's text (the privacy notice) with a template of the same
        # name in TEMPLATE_OVERRIDES_DIR, which is searched first.
        "DIRS": [
            Path(env.str("TEMPLATE_OVERRIDES_DIR", default=str(VAR_DIR / "templates"))),
            BASE_DIR / "events_site" / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "events_site.context_processors.languages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Writers take the lock when their transaction begins, not at their first write:
    # two read-then-write transactions (a post-it, a vote) then queue for the lock
    # instead of failing with "database is locked" half-way.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    # A new PostgreSQL connection per request is a server process forked, and an
    # authentication, per request: keep each connection a minute (the URL's
    # ?conn_max_age= decides otherwise), checked when a request first uses it, so that a
    # restarted server costs no request an error. The check is Django's `SELECT 1`, a
    # round trip, only for a connection idle a while; one used a moment ago is checked
    # without leaving the process (events_site/kit/postgresql/base.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "events_site.kit.postgresql"
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters travel apart from the statement, and a statement a connection has run
    # five times is prepared: PostgreSQL stops planning the door's scan and the
    # registration's statements on every request, and psycopg stops quoting values into
    # the text (together a third of a scan's cost). A pooler in front of PostgreSQL must
    # keep prepared statements (PgBouncer: max_prepared_statements); the README's
    # Decisions say more.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages -------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content fields (titles, descriptions, questions) exist in French and Dutch; English
# readers get the French text, and each language falls back to the other when empty.
MODELTRANSLATION_LANGUAGES = ("fr", "nl")
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr", "nl"), "fr": ("nl",), "nl": ("fr",)}
MODELTRANSLATION_AUTO_POPULATE = False

TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# The two sides a cross-border meeting must be co-facilitated from (ISO 3166 codes).
CROSS_BORDER_SIDES = tuple(env.list("CROSS_BORDER_SIDES", default=["FR", "BE"]))

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Every stored file (documents, booklets) goes through the default storage: a folder in
# var/ unless STORAGE_URL names an S3-compatible bucket (events_site/kit/storage.py).
STORAGES = {
    "default": storage_from_url(env.str("STORAGE_URL", default="")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders when collectstatic has not been run.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# The largest document an organiser may upload, in megabytes.
DOCUMENT_MAX_MB = env.float("DOCUMENT_MAX_MB", default=25)
# The network's logo on every booklet's cover, a path to a PNG or JPEG; a public document
# of kind logo outside any meeting, uploaded by an organiser, takes its place.
NETWORK_LOGO = env.str("NETWORK_LOGO", default="")

# --- Redis: cache and Celery broker ------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The cache may live in its own Redis database, so that clearing it never drops queued jobs.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
# Seconds the cache may take to connect or answer before it counts as down for a while:
# above the half-second stalls of a saturated machine, which a shorter timeout turned
# into seconds without the cache (events_site/kit/cache.py).
REDIS_CACHE_TIMEOUT_S = env.float("REDIS_CACHE_TIMEOUT_S", default=1.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "events_site.kit.cache.ReusingRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="proximity"),
            # The cache is an accelerator (events_site/kit/cache.py): a Redis that hangs
            # must cost a request this long at most, not the kernel's minutes.
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CACHE_TIMEOUT_S,
                "socket_timeout": REDIS_CACHE_TIMEOUT_S,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    EMBEDDED_BROKER_OPTIONS = {}
    # kombu's Redis transport with one client per pool (events_site/kit/broker.py);
    # kombu's own for rediss://, whose TLS kombu turns on from the transport's name.
    if REDIS_URL.startswith("redis://"):
        CELERY_BROKER_TRANSPORT = "events_site.kit.broker:RedisTransport"
else:
    # The embedded default's broker is a folder under var/ (events_site/kit/broker.py): the
    # web process, the worker and beat share it with no server to run. It took 1 000
    # jobs in 0.9 s and a worker drained them in 2.5 s, where kombu's SQLAlchemy
    # transport on a SQLite file took 34 s and 47 s (README, Decisions).
    BROKER_DIR = VAR_DIR / "broker"
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT = "events_site.kit.broker:Transport"
    EMBEDDED_BROKER_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
# Jobs run inside the request only when asked (CELERY_EAGER=1): a site run without any
# worker. The test suite runs them in-process too (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# --- Organisers' documents (reports/document_kinds.py) ---------------------------------
# Up to these sizes (badges and attendance rows: confirmed registrations; exports: every
# registration; table cards: a workshop's tables; the brochure: published meetings) the
# document's link builds it in the request; beyond, a job builds it (reports/
# document_jobs.py) and the link leads to its page. `python -m tests.bench.bench_documents`
# (c) times each at its size. Measured on the 2-core development machine at load average
# 9 to 10 (other suites running; quiet, it runs 3 to 5 times faster), how many fit in
# 1 s: badges 208, attendance rows 195, CSV rows 1 405, XLSX rows 376, table cards 25,
# brochure meetings 64. Each size below is about 1.5 s there, 0.3 to 0.5 s quiet. Badges
# since their codes are laid from a template: 1 060 in 1 s at load average 4.6, so 600;
# attendance rows since the sheet is laid a page at a time: 573 to 1 159 at load 5 to 10,
# so 500.
DOCUMENTS_AT_ONCE = {
    "badges": 600,
    "attendance": 500,
    "registrations_csv": 1500,
    "registrations_xlsx": 500,
    "table_cards": 30,
    # The public brochure: above, a worker builds it into the cache and the link asks
    # visitors to come back in a few seconds.
    "brochure": 100,
}
# Up to this many post-its, approving a booklet lays out its files (PDF, DOCX, ODT, both
# copies, French and Dutch) in the request; beyond, a job does (reports/approval_files.py).
# Measured on SQLite at load average 2.6 to 4.1 on the 2-core development machine, the
# files alone (medians of 3): 0.48 s at 25 post-its, 0.61 s at 50, 0.82 s at 100, 1.0 s
# at 150, 2.2 s at 500, 7.5 s at 2 000; the approval without them 0.05 to 0.36 s.
BOOKLET_APPROVAL_AT_ONCE = 100
# --- Outbox (tasks/outbox/) ------------------------------------------------------------
# Transient SMTP failures are retried after base·2^(n-1) seconds (with jitter), at most max
# (tasks/outbox/send.py).
OUTBOX_RETRY_BASE_S = env.float("OUTBOX_RETRY_BASE_S", default=30.0)
OUTBOX_RETRY_MAX_S = env.float("OUTBOX_RETRY_MAX_S", default=3600.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
# A row "sending" for this long belongs to a worker that died; one "queued" this long
# without reaching a worker was written while the broker was down (tasks/outbox/sweep.py).
OUTBOX_STUCK_AFTER_S = env.float("OUTBOX_STUCK_AFTER_S", default=300.0)
OUTBOX_REQUEUE_AFTER_S = env.float("OUTBOX_REQUEUE_AFTER_S", default=60.0)
# A registration's email is handed on by a drain job, one for a rush, flagged in the
# shared cache (tasks/outbox/enqueue.py); the embedded default's cache is each process's
# own, where the worker could not clear the web processes' flag: one job an email there.
OUTBOX_DRAIN = bool(REDIS_URL)
DEFAULT_REPLY_TO = env.str("DEFAULT_REPLY_TO", default="")
# --- Webhooks (tasks/webhooks/) ------------------------------------------------------------
# Calls refused with 5xx, 408, 425 or 429, or unanswered, are retried after base·2^(n-1)
# seconds (with jitter), at most max, up to the attempts; a webhook whose calls fail for
# good this many times in a row is switched off and its owner emailed.
WEBHOOK_RETRY_BASE_S = env.float("WEBHOOK_RETRY_BASE_S", default=30.0)
WEBHOOK_RETRY_MAX_S = env.float("WEBHOOK_RETRY_MAX_S", default=3600.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=5)
WEBHOOK_TIMEOUT_S = env.float("WEBHOOK_TIMEOUT_S", default=10.0)
# Networks a webhook may call although they are private or loopback (SSRF protection,
# tasks/webhooks/targets.py): comma-separated, e.g. 10.1.2.0/24 for a receiver inside.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])

# The jobs beat runs (tasks/tasks.py), by name.
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "tasks.outbox_sweep", "schedule": env.float("OUTBOX_SWEEP_S", 60.0)},
    # Reminders 7 days and 1 day before each meeting; each is keyed, so never twice.
    "registration-reminders": {
        "task": "tasks.registration_reminders",
        "schedule": env.float("REMINDERS_EVERY_S", 15 * 60.0),
    },
    # Answers kept for retried API writes (Idempotency-Key) expire after 24 hours.
    "idempotency-purge": {"task": "tasks.idempotency_purge", "schedule": 3600.0},
    # Personal data kept no longer than its rule (`registrations.services.retention`).
    "retention": {"task": "tasks.retention", "schedule": 24 * 3600.0},
    # Organisers' documents built by jobs (`reports.document_jobs`), with their files.
    "documents-expire": {"task": "tasks.documents_expire", "schedule": 3600.0},
}
# Retention rules, in days (months for registrations of held meetings): README,
# configuration.
RETENTION_CANCELLED_DAYS = env.int("RETENTION_CANCELLED_DAYS", default=30)
RETENTION_NOTES_DAYS = env.int("RETENTION_NOTES_DAYS", default=30)
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
RETENTION_DELIVERY_DAYS = env.int("RETENTION_DELIVERY_DAYS", default=90)
RETENTION_DOCUMENTS_DAYS = env.int("RETENTION_DOCUMENTS_DAYS", default=7)
# A message not acknowledged within this window is handed to another worker. A retry
# waits in a worker, unacknowledged, for up to OUTBOX_RETRY_MAX_S before it even starts:
# the window is that plus an hour for the batch itself, or a long retry would also be
# handed to a second worker (whose claim finds the row taken: wasted work, not a second
# email). A worker that dies is covered sooner, by the outbox sweep.
# A publish to a broker that hangs would otherwise wait forever, in the request that
# published after its commit: it gives up after this long, and once more after one retry
# (the retry reconnects a pooled connection that a broker restart closed). Above kombu's
# BRPOP timeout (1 s), which a worker waits on its connection for the next job.
REDIS_BROKER_TIMEOUT_S = env.float("REDIS_BROKER_TIMEOUT_S", default=1.5)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(max(OUTBOX_RETRY_MAX_S, WEBHOOK_RETRY_MAX_S)) + 3600,
    "socket_connect_timeout": REDIS_BROKER_TIMEOUT_S,
    "socket_timeout": REDIS_BROKER_TIMEOUT_S,
    **EMBEDDED_BROKER_OPTIONS,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Email -------------------------------------------------------------------------------
# With no EMAIL_URL, each email is a file in var/mail/: the demo queues thousands, which
# would bury the console, and a sign-in link is still at hand there.
if "EMAIL_URL" in os.environ:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="rencontres@localhost")
# Who answers accessibility requests: the statement (/<lang>/accessibility/) names them.
ACCESSIBILITY_CONTACT = env.str("ACCESSIBILITY_CONTACT", default=DEFAULT_FROM_EMAIL)

# --- Security ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Browsers run only this site's code: scripts from our static files (or an inline one
# carrying the request's nonce), no plugin, no framing, forms posted only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Swagger UI's stylesheet draws its icons from data: URLs.
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features are off, the camera included; the door page turns the
# camera on for itself alone (registrations/checkin_views.py).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # A site served over https is only ever reached over https: plain http is redirected,
    # and browsers are told (HSTS, a year) never to try it again. The load balancer's
    # health check may stay on plain http.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Our load balancers: addresses or networks ("10.0.0.5,10.1.0.0/16"). Only from them are
# X-Forwarded-For and X-Forwarded-Proto believed (`events_site/kit/client.py`); gunicorn's
# forwarded_allow_ips is the same list. Empty: every peer is the client itself.
TRUSTED_PROXIES = trusted_proxies_from_environment()
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGIN_URL = "signin:request"

# Password sign-ins (the admin's) are locked out after repeated failures for one user
# name from one client address (django-axes, counted in PostgreSQL); a success resets
# the count. Facilitators' one-time links do not go through it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "events_site.kit.client.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "events_site.views.signin_locked_out"

NINJA_DEFAULT_THROTTLE_RATES = {"anon": "60/min", "user": "600/min"}
# Public registrations through the API, per client address; empty turns the limit off
# (a load test from one machine).
REGISTRATION_THROTTLE_RATE = env.str("REGISTRATION_THROTTLE_RATE", default="30/m")
# Sign-in links asked for from one client address, whatever the email typed.
SIGNIN_THROTTLE_RATE = env.str("SIGNIN_THROTTLE_RATE", default="20/h")
# Post-its and dots sent from the phones, per table and per phone; empty turns a limit off.
WORKSHOP_TABLE_THROTTLE_RATE = env.str("WORKSHOP_TABLE_THROTTLE_RATE", default="120/m")
WORKSHOP_DEVICE_THROTTLE_RATE = env.str("WORKSHOP_DEVICE_THROTTLE_RATE", default="20/m")

ORGANISERS_GROUP = "organisers"
# The version of the privacy notice people agree to when they register, recorded with
# each consent: change it whenever the notice's text changes (its template overridden).
PRIVACY_NOTICE_VERSION = env.str("PRIVACY_NOTICE_VERSION", default="2026-12")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler carries it: tokens in paths never reach a log line (events_site/kit/logs.py).
    "filters": {"redact_secrets": {"()": "events_site.kit.logs.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

SITE_NAME = _("Cross-border proximity meetings")
