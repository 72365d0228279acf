"""Fixed-window rate limits kept in the cache.

With Redis as the cache, every app server counts in the same place, so a
limit holds across servers. Each check is one script run in Redis (``INCR``
and, for a new counter, ``EXPIRE``), atomic, so two concurrent requests
cannot both slip under the limit, and one round trip however many limits a
request checks (through Django's cache, a new counter took one and a busy
one three). Without Redis, ``cache.add`` creates the counter with its
expiry only if it is missing and ``cache.incr`` counts on.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache

from helpcenter import sharedcache

# KEYS: the counters; ARGV: each one's window (seconds) and limit, in turn.
# Counts each in order and stops at the first one over its limit (that one
# is counted, the later ones are not); returns how many were within.
# A counter found without an expiry (written by hand, say) gets its window,
# so that no limit can hold for ever.
_HIT_SCRIPT = """
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 or redis.call('TTL', key) == -1 then
    redis.call('EXPIRE', key, ARGV[2 * i - 1])
  end
  if count > tonumber(ARGV[2 * i]) then
    return i - 1
  end
end
return #KEYS
"""

# Providers that ignore dots in the local part: j.smith@ and jsmith@ are one
# mailbox there, and only there.
DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}


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


def client_network(request) -> str:
    """Return the rate-limit identity of the client: its IPv4 address, or
    its IPv6 /64 network.

    One IPv6 subscriber usually holds a whole /64 and can pick a fresh
    address from it for every request, so counting single IPv6 addresses
    would give one person billions of allowances.
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def email_identity(address: str) -> str:
    """Return one key per mailbox for ``address``.

    Case-folded, with the ``+tag`` of the local part dropped, and the dots
    too at providers that ignore them (``J.Smith+x@gmail.com`` is
    ``jsmith@gmail.com``), so sub-addresses cannot multiply an allowance.
    """
    local, sep, domain = address.strip().casefold().rpartition("@")
    if not sep:
        return address.strip().casefold()
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _key(scope: str, identity: str) -> str:
    # Hashed so that e-mail addresses and IPs are not kept readable in Redis.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one hit; return True while the count is within ``limit``.

    ``window`` is in seconds and starts with the first hit.
    """
    return hit_all((scope, identity, limit, window))


def hit_all(*limits: tuple[str, str, int, int]) -> bool:
    """Count one hit against each ``(scope, identity, limit, window)`` in
    turn, as ``hit`` does; return True when all are within their limits.

    The first limit found exceeded ends the count: the later ones are not
    counted, as with ``hit(...) and hit(...)``, in one round trip."""
    if sharedcache.uses_redis():
        arguments = []
        for _scope, _identity, limit, window in limits:
            arguments += [window, limit]
        within = sharedcache.command(
            "EVAL", _HIT_SCRIPT, len(limits),
            *[cache.make_key(_key(scope, identity)) for scope, identity, *_ in limits],
            *arguments,
        )
        return within == len(limits)
    return all(_hit_locally(*limit) for limit in limits)


def _hit_locally(scope: str, identity: str, limit: int, window: int) -> bool:
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


def refund(scope: str, identity: str) -> None:
    """Give back one hit counted by ``hit`` (for a request that, in the
    end, should not use up the allowance). Counting first and refunding
    after keeps the check atomic: concurrent requests never all see room
    that only one of them has."""
    try:
        cache.decr(_key(scope, identity))
    except ValueError:
        # The window ended meanwhile: there is nothing left to give back.
        pass
