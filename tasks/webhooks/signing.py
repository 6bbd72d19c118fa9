"""What a receiver checks: `X-Proximity-Signature: t=<unix time>,v1=<hex>`.

`v1` is the HMAC-SHA256, keyed with the webhook's secret, of the time, a dot and the
body's bytes. Signing the time with the body lets a receiver refuse a call replayed
later (README: a few minutes of tolerance), and the `v1` label lets a later scheme be
sent beside it while receivers move over.
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Proximity-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, the secret follows it


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (Unix seconds)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
