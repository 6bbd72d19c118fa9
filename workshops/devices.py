"""Who a phone at a table is: an identity the server gives it, signed, never one it makes up.

A phone's dots and its throttle are counted by its identity, so an identity the phone
could choose would let one phone vote as many people (it did: 60 dots on one post-it in
1.3 s). The phone page issues one (`device_issue`) and keeps it in an HttpOnly cookie
per table, so a reload keeps the same voter; the page hands it to its script, which
sends it as `X-Device`. The signature (`django.core.signing`, salted with the table's
token) is checked with an HMAC and no query, once per process for each identity and token
(`device_verify` remembers the pairs it found genuine: a phone sends the same one with
every poll); it names the table it was issued for, and dies with that table's token when
a facilitator renews it.

Fresh identities cost one page load each, so they are still not free: what bounds a
table's dots is its seats (`services.votes.vote_cast`), not the number of identities.
"""

import secrets
from dataclasses import dataclass, field
from hashlib import sha256

from django.core import signing

from events_site.kit.memo import BoundedMemo

SALT = "workshops.device"
# The cookie a phone page keeps its identity in: one per table, so a phone with two
# tables' pages open is a voter at each.
COOKIE_PREFIX = "workshop_device_"
COOKIE_MAX_AGE_S = 24 * 3600
# Longer than any identity `device_issue` makes (a table id, a dot, 16 random
# characters, a colon and a 43-character signature).
SIGNED_MAX_LENGTH = 128


def _signer(table_token: str) -> signing.Signer:
    return signing.Signer(salt=f"{SALT}:{table_token}")


def device_issue(table_id: int, table_token: str) -> str:
    """A new voter at this table: "<table id>.<random>", signed for this table's token."""
    return _signer(table_token).sign(f"{table_id}.{secrets.token_urlsafe(12)}")


# Identities this process has found genuine, by (signed identity, table token): a phone
# sends the same pair with every poll, and checking its signature again would give the
# same answer (the key is the exact pair, so a pair never checked is never found here).
_genuine = BoundedMemo(most=10_000)


def device_verify(signed: str, table_token: str) -> tuple[int, str] | None:
    """The table id and the device id of an identity this site issued for this token;
    None for an invented, tampered or other table's one."""
    if not signed or len(signed) > SIGNED_MAX_LENGTH:
        return None
    known = _genuine.get((signed, table_token))
    if known is not None:
        return known
    try:
        device = _signer(table_token).unsign(signed)
    except signing.BadSignature:
        return None
    table_id, _dot, _random = device.partition(".")
    return _genuine.remember((signed, table_token), (int(table_id), device))


def cookie_name(table_id: int) -> str:
    return f"{COOKIE_PREFIX}{table_id}"


@dataclass(frozen=True)
class Phone:
    """A participant's phone at a table: what the API's table-token auth puts in
    `request.auth`."""

    # The workshop of its table (on a post-it, the one claimed: its INSERT checks).
    workshop_id: int
    token: str
    # "<table id>.<random>": the signed part of its identity.
    device: str
    table_id: int
    # The clock, when read with the token (the timer's poll).
    timer: dict | None = field(default=None, compare=False)

    @property
    def table_key(self) -> str:
        """Names the table in throttle keys without putting its credential there."""
        return sha256(self.token.encode()).hexdigest()[:32]

    @property
    def voter(self) -> str:
        return f"phone:{self.device}"

    @property
    def idempotency_caller(self) -> str:
        """Whose `Idempotency-Key`s these are (`events_site.kit.idempotency`)."""
        return self.voter
