"""The shared cache's cheapest calls, for what every cached page does.

A full-page cache hit reads the content generation, and an article page
counts its view, on every request. Through Django's Redis backend each call
builds a client object and borrows a pooled connection (with a health poll),
and ``incr`` asks whether the key exists before incrementing it: two round
trips. With Redis, this module sends those commands on one connection kept
by the process, and counts with one ``INCR`` (in a loop, a quarter of the
Python time of Django's backend per command; the round trip itself, in the
kernel, remains). Keys are made by the default cache's ``make_key``, so
``cache.get``, ``cache.decr`` and ``cache.delete`` see the same keys
(Django's Redis backend stores integers as plain numbers, as ``INCR`` does).

``tracked_get`` goes further for a value read on every request and rarely
written (the page cache's generation): Redis's client-side caching
(``CLIENT TRACKING`` over RESP3, Redis 6 or later) keeps the value in the
process and Redis pushes a message on that connection when the key changes.
A read then costs a poll of the socket, no round trip. A write through
``tracked_set`` returns only once Redis has sent the message to every
tracking process, so the next request to any server sees the change; a
process also asks again at least every ``RECHECK_SECONDS``.
"""

import os
import threading
import time

import redis
from django.conf import settings
from django.core.cache import cache

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
# Each thread's connections (one socket must not carry two threads' commands
# at once), by the Redis URL, with the process id: a child forked from a
# process that had one makes its own.
_local = threading.local()


def uses_redis() -> bool:
    """Whether the default cache is Redis."""
    return settings.CACHES["default"]["BACKEND"] == REDIS_BACKEND


def _mine(kind: str, make):
    """This thread's ``kind`` of connection to the default cache's Redis."""
    location = settings.CACHES["default"]["LOCATION"]
    kept = _local.__dict__.setdefault(kind, {})
    pid, value = kept.get(location, (None, None))
    if pid != os.getpid():
        value = make(location)
        kept[location] = (os.getpid(), value)
    return value


def _connection() -> redis.Connection:
    return _mine(
        "connection",
        lambda location: redis.ConnectionPool.from_url(location).make_connection(),
    )


def command(*args):
    """Send one command to the default cache's Redis and return its reply.

    A broken connection is opened again and the command sent once more, as
    redis-py's default retry does."""
    connection = _connection()
    try:
        connection.send_command(*args)
        return connection.read_response()
    except (redis.ConnectionError, redis.TimeoutError):
        connection.disconnect()
        connection.send_command(*args)
        return connection.read_response()


def incr(key: str, delta: int = 1) -> int:
    """Add ``delta`` to the counter ``key`` (created at ``delta``, with no
    expiry, when missing) and return its new value. Atomic across processes
    and servers with Redis, in one round trip."""
    if uses_redis():
        return command("INCRBY", cache.make_key(key), delta)
    try:
        return cache.incr(key, delta)
    except ValueError:
        return delta if cache.add(key, delta, timeout=None) else cache.incr(key, delta)


# A tracked value is asked for again after this long even without a message
# from Redis: a bound on staleness should a message ever be lost.
RECHECK_SECONDS = 1.0


class _Tracker:
    """A connection with client-side caching, and the values read on it."""

    def __init__(self, location: str):
        self.values: dict[str, bytes | None] = {}
        self.read_at = 0.0
        pool = redis.ConnectionPool.from_url(location, protocol=3)
        self.connection = pool.make_connection()
        # The parser hands invalidation messages to this handler, whether
        # they come alone or ahead of a reply (redis-py's own client-side
        # cache sets it the same way).
        self.connection._parser.set_invalidation_push_handler(self._invalidated)
        self.connection.register_connect_callback(self._connected)

    def _connected(self, connection) -> None:
        # Tracking belongs to a connection: a new one starts with nothing
        # known, and whatever changed while there was none is unknown.
        self.values.clear()
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()

    def _invalidated(self, message) -> None:
        # One key or all of them (a flush): all values are read again.
        self.values.clear()

    def get(self, key: str) -> bytes | None:
        now = time.monotonic()
        if now - self.read_at > RECHECK_SECONDS:
            self.values.clear()
        # Messages waiting on the socket are read first.
        while self.values and self.connection.can_read(timeout=0):
            self.connection.read_response(push_request=True)
        if key in self.values:
            return self.values[key]
        self.connection.send_command("GET", key)
        value = self.connection.read_response()
        # A message that came ahead of the reply was about an earlier read:
        # the reply itself is current.
        self.values[key] = value
        self.read_at = now
        return value


def _tracker() -> _Tracker:
    return _mine("tracker", _Tracker)


def tracked_get(key: str) -> bytes | None:
    """Return the raw value of ``key`` (made with ``make_key``) in the
    default cache's Redis, or None when missing, as current as a ``GET``
    (see the module docstring) and mostly without a round trip.

    A Redis without RESP3 or tracking (before 6.0) refuses the connection's
    set-up: this process then reads with a plain ``GET`` every time."""
    if getattr(_local, "untracked", False):
        return command("GET", key)
    tracker = _tracker()
    try:
        try:
            return tracker.get(key)
        except (redis.ConnectionError, redis.TimeoutError):
            tracker.connection.disconnect()
            tracker.values.clear()
            return tracker.get(key)
    except redis.ResponseError:
        _local.untracked = True
        return command("GET", key)


def tracked_set(key: str, value: str | None) -> None:
    """Set ``key`` (made with ``make_key``) to ``value``, with no expiry, or
    delete it (None). When this returns, Redis has sent the change to every
    process that tracks the key.

    Redis writes an invalidation message and the writer's reply in the same
    pass, but the reply may go first; the ``PING`` after the write is
    answered only once that pass is over, messages included."""
    if value is None:
        command("DEL", key)
    else:
        command("SET", key, value)
    command("PING")
    forget()


def is_set(key: str) -> bool:
    """Whether the default cache holds a value for ``key`` (a flag, such as
    a pause), read like ``tracked_get`` with Redis: mostly without a round
    trip. A process that sets or deletes the flag calls ``forget`` after."""
    if uses_redis():
        return tracked_get(cache.make_key(key)) is not None
    return cache.get(key) is not None


def forget() -> None:
    """Drop this thread's tracked values: they are read again from Redis.
    (Other threads hear of a write from Redis, as other processes do.)"""
    if not uses_redis():
        return
    pid, tracker = _local.__dict__.get("tracker", {}).get(
        settings.CACHES["default"]["LOCATION"], (None, None)
    )
    if pid == os.getpid():
        tracker.values.clear()
