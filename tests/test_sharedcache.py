"""The shared cache's one-trip calls (helpcenter/sharedcache.py)."""

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from helpcenter import sharedcache

needs_redis = pytest.mark.skipif(
    not sharedcache.uses_redis(), reason="client-side caching needs REDIS_URL"
)


def test_incr_counts_from_one_in_keys_the_cache_reads():
    assert [sharedcache.incr("views:test") for _ in range(3)] == [1, 2, 3]
    assert cache.get("views:test") == 3
    assert cache.decr("views:test", 3) == 0


def _other_connection():
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


@needs_redis
def test_tracked_value_changed_elsewhere_is_read_at_once():
    key = cache.make_key("tracked:test")
    other = _other_connection()
    assert sharedcache.tracked_get(key) is None
    for value in range(200):
        other.set(key, str(value))
        other.ping()
        assert sharedcache.tracked_get(key) == str(value).encode()


@needs_redis
def test_tracked_value_is_read_again_after_a_lost_connection():
    key = cache.make_key("tracked:test")
    sharedcache.tracked_set(key, "before")
    assert sharedcache.tracked_get(key) == b"before"
    sharedcache._tracker().connection.disconnect()
    # No message can reach a closed connection: the value is asked again.
    _other_connection().set(key, "after")
    assert sharedcache.tracked_get(key) == b"after"


@needs_redis
def test_tracked_set_is_seen_by_this_process_and_can_delete():
    key = cache.make_key("tracked:test")
    sharedcache.tracked_set(key, "one")
    assert sharedcache.tracked_get(key) == b"one"
    sharedcache.tracked_set(key, None)
    assert sharedcache.tracked_get(key) is None
    assert _other_connection().get(key) is None


@needs_redis
def test_redis_refusing_tracking_is_read_with_plain_gets(monkeypatch):
    def refused(self, key):
        raise redis.ResponseError("unknown command 'HELLO'")

    key = cache.make_key("tracked:test")
    monkeypatch.setattr(sharedcache._Tracker, "get", refused)
    monkeypatch.setattr(sharedcache._local, "untracked", False, raising=False)
    _other_connection().set(key, "plain")
    assert sharedcache.tracked_get(key) == b"plain"
    _other_connection().set(key, "again")
    assert sharedcache.tracked_get(key) == b"again"


def test_a_flag_is_seen_set_and_unset_by_the_process_that_changes_it():
    assert not sharedcache.is_set("flag:test")
    cache.set("flag:test", 1, timeout=60)
    sharedcache.forget()
    assert sharedcache.is_set("flag:test")
    cache.delete("flag:test")
    sharedcache.forget()
    assert not sharedcache.is_set("flag:test")


@needs_redis
def test_a_flag_set_or_expired_elsewhere_is_seen():
    key = cache.make_key("flag:test")
    other = _other_connection()
    assert not sharedcache.is_set("flag:test")
    other.set(key, 1, px=50)
    other.ping()
    assert sharedcache.is_set("flag:test")
    # Expired: Redis tells the trackers, or the value is asked for again
    # within RECHECK_SECONDS.
    deadline = time.monotonic() + sharedcache.RECHECK_SECONDS + 0.5
    while sharedcache.is_set("flag:test") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not sharedcache.is_set("flag:test")
