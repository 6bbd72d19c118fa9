"""`Idempotency-Key`: a retried API write answers again instead of writing again.

A volunteer's phone at a door on a mobile network, or a person pressing "send" twice,
sends a POST again when no answer came back, though the first may have been committed
(during a PostgreSQL restart, two registrations answered 500 and had been made). As in
pretix and Stripe, the writes a retry must not repeat (`@idempotent`) take an
`Idempotency-Key` header, 1 to 255 visible ASCII characters (a UUID v4, new for each
new request):

- The first request runs. Its row (`IdempotentRequest`) is inserted before the operation,
  in the operation's transaction, and its answer (status, body, `Content-Type`,
  `Location`) is written there too before the commit: a committed write always has its
  stored answer, kept `KEEP` (24 hours).
- The same key with the same request (method, path and body) gets that answer again,
  with `Idempotent-Replayed: true`, and nothing is written.
- The same key with another request is refused with 422.
- A refusal (any answer that is not 2xx) rolls back with the write it refused: nothing is
  stored, and the same key may be sent again, which runs the request again.
- Two requests with the same key at once: the second one's insert waits on the unique
  index until the first one's transaction ends, then replays its answer (or runs, if the
  first was rolled back). The operation never runs twice, and no caller is told to come
  back later.

A key belongs to an operation and a caller (`_caller`): an organiser's or facilitator's
user, a phone's identity, or "anonymous" for the public registration, whose keys must
therefore be random. Requests without the header run exactly as before.
"""

import functools
import hashlib
import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_args

from events_site.models import IdempotentRequest

from .errors import Invalid

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
KEY = re.compile(r"[!-~]{1,255}")
# What a replay repeats of the first answer besides its status and body.
KEPT_HEADERS = ("Content-Type", "Location")
DESCRIPTION = (
    "Optional: 1 to 255 visible ASCII characters (a UUID v4), new for each new request. "
    "Sent again with the same request, the first answer comes back (with "
    "`Idempotent-Replayed: true`) and nothing is written again; with another request, "
    "422. Answers are kept 24 hours."
)


class _Refused(Exception):
    """Carries a refusal out of the transaction it rolls back."""

    def __init__(self, response: HttpResponseBase):
        super().__init__(response.status_code)
        self.response = response


def idempotent(operation: str):
    """Make a django-ninja POST operation take `Idempotency-Key` (and document it).

    Put it under the router's decorator; `operation` names the operation in the key's
    scope. Two layers, because who asks is known only once ninja has authenticated the
    request, and the answer only once ninja has serialised it: around ninja's run of the
    operation, the transaction and the storing of the answer (`_answer_kept`); around the
    view, the key's row, claimed or replayed (`_claim`). Without the header the view runs
    unchanged.
    """

    def decorator(view):
        @functools.wraps(view)
        def claimed(request, *args, idempotency_key: str | None = None, **kwargs):
            if idempotency_key is None:
                return view(request, *args, **kwargs)
            if not KEY.fullmatch(idempotency_key):
                raise Invalid(
                    _("An Idempotency-Key is 1 to 255 visible ASCII characters, such as a UUID."),
                    {HEADER: [_("1 to 255 visible ASCII characters.")]},
                )
            fingerprint = _fingerprint(request)
            record = _claim(f"{operation}:{_caller(request)}", idempotency_key, fingerprint)
            if record.status:
                return _replay(record, fingerprint)
            request.idempotent_request = record
            return view(request, *args, **kwargs)

        contribute_operation_args(
            claimed,
            "idempotency_key",
            str | None,
            Header(None, alias=HEADER, description=DESCRIPTION),
        )
        return decorate_view(_answer_kept)(claimed)

    return decorator


def _answer_kept(run):
    """Around ninja's run of the operation (its auth, the view, its answer or refusal):
    one transaction, in which a 2xx answer is stored in the row the view claimed; any
    other answer rolls back with the row."""

    @functools.wraps(run)
    def once(request, **kwargs) -> HttpResponseBase:
        if HEADER not in request.headers:
            return run(request, **kwargs)
        try:
            with transaction.atomic():
                response = run(request, **kwargs)
                if not 200 <= response.status_code < 300:
                    raise _Refused(response)
                record = getattr(request, "idempotent_request", None)
                if record is not None:  # None: a replay
                    record.status = response.status_code
                    record.headers = {
                        name: response[name] for name in KEPT_HEADERS if name in response
                    }
                    record.body = response.content
                    record.save(update_fields=["status", "headers", "body"])
                return response
        except _Refused as refused:
            return refused.response

    return once


def _caller(request) -> str:
    """Who asks: a phone's identity (an auth object may name itself with
    `idempotency_caller`), a signed-in user, or anonymous."""
    auth = getattr(request, "auth", None)
    named = getattr(auth, "idempotency_caller", None)
    if named:
        return named
    user = auth if hasattr(auth, "is_authenticated") else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> IdempotentRequest:
    """This key's row: a new one (this request runs), or that of the request that ran
    with it. In PostgreSQL an insert of a key another transaction is inserting waits for
    that transaction: a concurrent duplicate sees the first one's answer."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    found = IdempotentRequest.objects.get(scope=scope, key=key)
    if found.created_at >= timezone.now() - KEEP:
        return found
    # Past its 24 hours and not purged yet: the key is free again.
    found.delete()
    return IdempotentRequest.objects.create(scope=scope, key=key, fingerprint=fingerprint)


def _replay(record: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        raise Invalid(
            _(
                "This Idempotency-Key was already used for another request: send a new "
                "key with each new request."
            ),
            {HEADER: [_("Already used for another request.")]},
        )
    response = HttpResponse(bytes(record.body), status=record.status)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent_requests_purge(now: datetime | None = None) -> int:
    """Forget the answers older than `KEEP`; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
