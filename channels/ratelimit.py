"""Fixed-window rate limits kept in the cache.

With Redis as the cache, every app server counts in the same place, so a
limit holds across servers. ``cache.add`` creates the counter with its
expiry only if it is missing and ``cache.incr`` is atomic in Redis, so two
concurrent requests cannot both slip under the limit.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """Return the address of the client as the nearest trusted proxy saw it.

    ``X-Forwarded-For`` is written by the client as well as by proxies, so
    only the entries appended by the ``HELPCENTER_TRUSTED_PROXIES`` proxies
    in front of the app servers (the load balancer) are believed. With none
    configured, ``REMOTE_ADDR`` is the client.
    """
    trusted = settings.HELPCENTER_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    return hops[-trusted] if len(hops) >= trusted else remote


def _key(scope: str, identity: str) -> str:
    # Hashed so that e-mail addresses and IPs are not kept readable in Redis.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one hit; return True while the count is within ``limit``.

    ``window`` is in seconds and starts with the first hit.
    """
    key = _key(scope, identity)
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr(): start a new window.
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def is_exceeded(scope: str, identity: str, *, limit: int) -> bool:
    """True when ``identity`` has already used up ``limit``; counts nothing."""
    return (cache.get(_key(scope, identity)) or 0) >= limit
