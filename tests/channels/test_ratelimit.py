import time

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from channels import ratelimit
from channels.ratelimit import client_ip, client_network, email_identity
from helpcenter import sharedcache


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, "", "10.0.0.2"),
        (2, "203.0.113.9", "10.0.0.2"),
    ],
)
def test_client_ip_believes_only_trusted_proxies(rf, settings, trusted, forwarded, expected):
    settings.HELPCENTER_TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_client_network_groups_ipv6_by_64(rf, remote, expected):
    request = rf.get("/", REMOTE_ADDR=remote)
    assert client_network(request) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Li.Lei@Example.com", "li.lei@example.com"),
        ("li.lei+shop@example.com", "li.lei@example.com"),
        ("li.lei+a+b@example.com.", "li.lei@example.com"),
        ("J.Smith+x@GMail.com", "jsmith@gmail.com"),
        ("j.s.m.i.t.h@googlemail.com", "jsmith@googlemail.com"),
        ("STRASSE@example.com", "strasse@example.com"),
        ("Straße@example.com", "strasse@example.com"),
    ],
)
def test_email_identity_counts_one_mailbox_once(address, expected):
    assert email_identity(address) == expected


@given(st.emails())
def test_email_identity_is_stable_and_ignores_tags_and_case(address):
    local, _at, domain = address.rpartition("@")
    key = email_identity(address)
    assert email_identity(key) == key
    assert email_identity(f"{local.upper()}+tag@{domain.upper()}") == key


def test_refund_gives_back_one_hit_and_tolerates_expiry():
    assert ratelimit.hit("test", "me", limit=1, window=60)
    ratelimit.refund("test", "me")
    assert ratelimit.hit("test", "me", limit=1, window=60)
    assert not ratelimit.hit("test", "me", limit=1, window=60)
    ratelimit.refund("test", "nobody")
    assert not ratelimit.is_exceeded("test", "nobody", limit=1)


def test_hit_all_stops_counting_at_the_first_limit_exceeded():
    # As with hit(a) and hit(b): b is not counted while a refuses.
    assert ratelimit.hit_all(("first", "me", 1, 60), ("second", "me", 5, 60))
    assert not ratelimit.hit_all(("first", "me", 1, 60), ("second", "me", 5, 60))
    assert not ratelimit.hit_all(("first", "me", 1, 60), ("second", "me", 5, 60))
    assert not ratelimit.is_exceeded("second", "me", limit=2)
    assert ratelimit.is_exceeded("second", "me", limit=1)
    # The second limit refusing counts the first one as well.
    assert ratelimit.hit_all(("third", "me", 3, 60), ("fourth", "me", 1, 60))
    assert not ratelimit.hit_all(("third", "me", 3, 60), ("fourth", "me", 1, 60))
    assert ratelimit.is_exceeded("third", "me", limit=2)


def test_a_window_ends_and_counting_starts_again():
    if not sharedcache.uses_redis():
        pytest.skip("Redis only: local memory's expiry is Django's own")
    key = cache.make_key(ratelimit._key("window", "me"))
    assert ratelimit.hit("window", "me", limit=1, window=60)
    assert 0 < sharedcache.command("TTL", key) <= 60
    assert not ratelimit.hit("window", "me", limit=1, window=60)
    sharedcache.command("PEXPIRE", key, 1)
    time.sleep(0.01)
    assert ratelimit.hit("window", "me", limit=1, window=60)
    # A counter left without an expiry gets one at its next hit.
    sharedcache.command("PERSIST", key)
    ratelimit.hit("window", "me", limit=1, window=60)
    assert 0 < sharedcache.command("TTL", key) <= 60
