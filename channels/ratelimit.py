"""Fixed-window rate limits kept in the cache.

With Redis as the cache, every app server counts in the same place, so a
limit holds across servers. Each check is one script run in Redis (``INCR``
and, for a new counter, ``EXPIRE``), atomic, so two concurrent requests
cannot both slip under the limit, and one round trip however many limits a
request checks (through Django's cache, a new counter took one and a busy
one three). Without Redis, ``cache.add`` creates the counter with its
expiry only if it is missing and ``cache.incr`` counts on.

A contact form is charged once however often it is sent (``Limit.once``):
a retry of a request whose answer was lost must not use up the sender's
allowance. A request that in the end should not count gives its hits back
(``Charge.refund``).
"""

import hashlib
import ipaddress
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from helpcenter import sharedcache

# KEYS: each limit's counter and its form marker, in turn; ARGV: each
# limit's window (seconds), its limit and whether it charges a form once.
# Counts each in order and stops at the first one over its limit (that one
# is counted, the later ones are not). A limit that charges a form once
# passes without counting when the form's marker is there (the form was
# charged, and let through, by an earlier attempt), and sets the marker when
# it lets a form through. Returns how many limits were within and which of
# them this call counted.
# A counter found without an expiry (written by hand, say) gets its window,
# so that no limit can hold for ever.
_HIT_SCRIPT = """
local counted = {}
for i = 1, #KEYS / 2 do
  local counter, marker = KEYS[2 * i - 1], KEYS[2 * i]
  local once = ARGV[3 * i] == '1'
  if not (once and redis.call('EXISTS', marker) == 1) then
    local count = redis.call('INCR', counter)
    if count == 1 or redis.call('TTL', counter) == -1 then
      redis.call('EXPIRE', counter, ARGV[3 * i - 2])
    end
    if count > tonumber(ARGV[3 * i - 1]) then
      return {i - 1, counted}
    end
    if once then
      redis.call('SET', marker, '1', 'EX', ARGV[3 * i - 2])
    end
    counted[#counted + 1] = i
  end
end
return {#KEYS / 2, counted}
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
    hops = [
        hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    ]
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


class Limit(NamedTuple):
    """One allowance: at most ``limit`` hits per ``window`` seconds for
    ``identity`` in ``scope``. With ``once`` (a form's submission key), the
    attempts of one form are charged once: a retry of a form an earlier
    attempt was let through with passes again without counting, so a
    request cut off after its hit (a worker killed, a connection lost)
    does not use up the sender's allowance when it is sent again."""

    scope: str
    identity: str
    limit: int
    window: int
    once: str = ""


class Charge:
    """What one ``hit_all`` counted. True when every limit was within."""

    def __init__(self, within: bool, counted: list[Limit]):
        self.within = within
        self.counted = counted

    def __bool__(self) -> bool:
        return self.within

    def refund(self, *scopes: str) -> None:
        """Give back the hits this charge counted in ``scopes`` (all of
        them when none is named), for a request that in the end should not
        use up the allowance, and forget the form it let through. Counting
        first and refunding after keeps the check atomic: concurrent
        requests never all see room that only one of them has."""
        kept = []
        for item in self.counted:
            if scopes and item.scope not in scopes:
                kept.append(item)
                continue
            if item.once:
                cache.delete(_marker(item))
            try:
                cache.decr(_key(item.scope, item.identity))
            except ValueError:
                # The window ended meanwhile: there is nothing to give back.
                pass
        self.counted = kept


def _key(scope: str, identity: str) -> str:
    # Hashed so that e-mail addresses and IPs are not kept readable in Redis.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def _marker(item: Limit) -> str:
    digest = hashlib.sha256(item.once.encode()).hexdigest()[:32]
    return f"{_key(item.scope, item.identity)}:once:{digest}"


def hit(
    scope: str, identity: str, *, limit: int, window: int, once: str = ""
) -> Charge:
    """Count one hit; the charge is true while the count is within
    ``limit``. ``window`` is in seconds and starts with the first hit;
    ``once`` is as in ``Limit``."""
    return hit_all(Limit(scope, identity, limit, window, once))


def hit_all(*limits: tuple) -> Charge:
    """Count one hit against each ``Limit(scope, identity, limit, window,
    once)`` in turn, as ``hit`` does; the charge is true when all are
    within their limits.

    The first limit found exceeded ends the count: the later ones are not
    counted, as with ``hit(...) and hit(...)``, in one round trip."""
    limits = [Limit(*item) for item in limits]
    if sharedcache.uses_redis():
        keys, arguments = [], []
        for item in limits:
            counter = cache.make_key(_key(item.scope, item.identity))
            # A limit without ``once`` never reads its marker slot.
            keys += [counter, cache.make_key(_marker(item)) if item.once else counter]
            arguments += [item.window, item.limit, "1" if item.once else "0"]
        within, counted = sharedcache.command(
            "EVAL", _HIT_SCRIPT, len(keys), *keys, *arguments
        )
        return Charge(within == len(limits), [limits[i - 1] for i in counted])
    counted = []
    for item in limits:
        if item.once and not cache.add(_marker(item), 1, timeout=item.window):
            continue  # this form was let through before
        if not _hit_locally(item):
            if item.once:
                cache.delete(_marker(item))
            return Charge(False, counted)
        counted.append(item)
    return Charge(True, counted)


def _hit_locally(item: Limit) -> bool:
    key = _key(item.scope, item.identity)
    if cache.add(key, 1, timeout=item.window):
        return item.limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr(): start a new window.
        cache.add(key, 1, timeout=item.window)
        count = 1
    return count <= item.limit


def is_exceeded(scope: str, identity: str, *, limit: int) -> bool:
    """True when ``identity`` has already used up ``limit``; counts nothing."""
    return (cache.get(_key(scope, identity)) or 0) >= limit
