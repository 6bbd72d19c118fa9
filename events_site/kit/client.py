"""Who is asking: the one client address of a request, for every throttle, lockout and
log line.

`X-Forwarded-For` and `X-Forwarded-Proto` are anyone's to write. They are believed only
when the peer that sent the request is one of `TRUSTED_PROXIES` (our load balancer),
and then the client is the right-most hop that is not itself a trusted proxy: every hop
to its left was written by the client, and a rotating value there must not buy a fresh
allowance.
"""

import functools
import ipaddress
import os

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies_from_environment() -> list[str]:
    """`TRUSTED_PROXIES`, comma-separated; read by the settings and by gunicorn's own
    configuration alike. A typo fails at start, not at the first request."""
    proxies = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
    _networks(tuple(proxies))
    return proxies


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """Parsed once per value of the setting (tests change it)."""
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def trusted_proxy_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def is_trusted_proxy(address: str) -> bool:
    networks = trusted_proxy_networks()
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    """The address that throttles and logs count, remembered on the request."""
    known = getattr(request, "_client_address", None)
    if known is None:
        known = request._client_address = client_address_of_environ(request.META)
    return known


def client_address_of_environ(meta) -> str:
    """The same, from a WSGI environ (gunicorn's access log has no request object)."""
    address = meta.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(address):
        return address
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # Not written by a proxy of ours: the last hop a proxy vouched for is all we know.
            return address
        address = hop
        if not is_trusted_proxy(hop):
            return hop
    return address


class TrustedProxyMiddleware:
    """Forget `X-Forwarded-Proto` unless a trusted proxy sent it, so that Django's
    `SECURE_PROXY_SSL_HEADER` (secure cookies, the https redirect, CSRF's referer
    check) cannot be talked into believing plain http is https. First in the chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        untrusted_proto_forget(request)
        return self.get_response(request)


def untrusted_proto_forget(request) -> None:
    """The middleware's rule, and the fast path handler's (`events_site.kit.fast_handler`)."""
    if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        request.META.pop("HTTP_X_FORWARDED_PROTO", None)
