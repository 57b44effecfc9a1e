"""Who the client is behind the README's TLS proxy: the address the login lock-out is keyed to (django-axes reads
it with django-ipware).

Behind a proxy every request comes from the proxy's own address (REMOTE_ADDR, 127.0.0.1 in the README), so a
lock-out keyed to it locks every person out together. Each trusted proxy appends the address it was reached from
to X-Forwarded-For; whatever is left of those entries the client wrote itself and may be forged. With N proxies
(TRUSTED_PROXY_COUNT), the client is the Nth entry from the right: the last proxy is REMOTE_ADDR, and each of the
N - 1 before it is an entry to the right of the client's. With none, the header is not read at all.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_address_settings(trusted_proxies: int) -> dict[str, Any]:
    """django-axes' and django-ipware's settings for `trusted_proxies` reverse proxies in front of the site."""
    if trusted_proxies == 0:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",), "AXES_IPWARE_PROXY_COUNT": None}
    return {
        # The header first; REMOTE_ADDR only when a request comes without it (not through the proxy).
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        # ipware counts the proxies whose addresses are in the header: all but the last one.
        "AXES_IPWARE_PROXY_COUNT": trusted_proxies - 1,
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # Not strict: a header with more entries than the proxies wrote (the client's own, a forgery) is read
        # from the right, instead of being dropped for REMOTE_ADDR, which every such client would then share.
        "IPWARE_STRICT": False,
    }


def client_address(request: "HttpRequest") -> str:
    """The client's address as the login lock-out reads it (the settings above), for the public pages' rate limit
    (RATELIMIT_IP_META_KEY): behind the proxy, REMOTE_ADDR is the proxy's, shared by every client."""
    # Here, not at the top: settings.py imports this module, and axes reads the settings when it is imported.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "unknown"
