"""The shared cache's cheapest calls, for what every cached page does.

A full-page cache hit reads the content generation, and an article page
counts its view, on every request. Through Django's Redis backend each call
builds a new client object, and ``incr`` asks whether the key exists before
incrementing it: two round trips. With Redis, this module keeps one client
per process (``redis_client``) and counts with one ``INCR``. Keys are made
by the default cache's ``make_key``, so ``cache.get``, ``cache.decr`` and
``cache.delete`` see the same keys (Django's Redis backend stores integers
as plain numbers, as ``INCR`` does).
"""

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

# By the Redis URL. A client's connection pool reconnects after a fork.
_clients: dict[str, redis.Redis] = {}


def redis_client() -> redis.Redis | None:
    """Return this process's client of the default cache's Redis, or None
    when the default cache is not Redis."""
    if not isinstance(caches["default"], RedisCache):
        return None
    location = settings.CACHES["default"]["LOCATION"]
    client = _clients.get(location)
    if client is None:
        client = _clients[location] = redis.Redis.from_url(location)
    return client


def incr(key: str) -> int:
    """Add one to the counter ``key`` (created at 1, with no expiry, when
    missing) and return its new value. Atomic across processes and servers
    with Redis, in one round trip."""
    client = redis_client()
    if client is not None:
        return client.incr(cache.make_key(key))
    try:
        return cache.incr(key)
    except ValueError:
        return 1 if cache.add(key, 1, timeout=None) else cache.incr(key)
