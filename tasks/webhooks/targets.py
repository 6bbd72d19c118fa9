"""Where a webhook may point: not inside the network the server runs in (SSRF).

An address that names or resolves to a loopback, private, link-local (the cloud's
metadata service), multicast or reserved address is refused, when the webhook is saved
and again at each call, which connects to the address it checked: a name that resolves
elsewhere between the two (DNS rebinding) reaches nothing it was not allowed to.
`WEBHOOK_ALLOWED_NETWORKS` lets chosen networks through (a receiver on the same host,
the tests' on loopback).
"""

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from events_site.kit.errors import Invalid


class TargetRefused(Invalid):
    def __init__(self, message: str):
        super().__init__(message, {"url": [message]})


@lru_cache(maxsize=8)
def _allowed(networks: tuple[str, ...]):
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in _allowed(tuple(settings.WEBHOOK_ALLOWED_NETWORKS))):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target_resolve(url: str) -> tuple[str, int, str]:
    """The scheme, port and checked IP address to call for `url`; `TargetRefused` with a
    sentence if it is not an http(s) address outside the server's network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("A webhook's address starts with https:// (or http://)."))
    if parts.username or parts.password:
        raise TargetRefused(_("A webhook's address cannot carry a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused(_("This address's port is not a number from 1 to 65535.")) from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(
            _("“%(host)s” cannot be found: check the address.") % {"host": parts.hostname}
        ) from None
    addresses = [info[4][0] for info in found]
    if not addresses or not all(_is_public(address) for address in addresses):
        raise TargetRefused(
            _(
                "“%(host)s” is an address inside this server's network (loopback, private "
                "or reserved): webhooks are sent to public addresses only."
            )
            % {"host": parts.hostname}
        )
    return parts.scheme, port, addresses[0]
