import time

import pytest
from django.core.cache import cache
from hypothesis import given, strategies as st

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
def test_client_ip_believes_only_trusted_proxies(
    rf, settings, trusted, forwarded, expected
):
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


def test_refund_gives_back_what_the_charge_counted_and_tolerates_expiry():
    charge = ratelimit.hit("test", "me", limit=1, window=60)
    assert charge
    charge.refund()
    charge.refund()  # given back once only
    assert not ratelimit.is_exceeded("test", "me", limit=1)
    assert ratelimit.hit("test", "me", limit=1, window=60)
    refused = ratelimit.hit("test", "me", limit=1, window=60)
    assert not refused
    cache.delete(ratelimit._key("test", "me"))  # the window ended
    refused.refund()
    assert not ratelimit.is_exceeded("test", "me", limit=1)


def test_refund_of_named_scopes_keeps_the_others():
    charge = ratelimit.hit_all(("a", "me", 1, 60), ("b", "me", 1, 60))
    charge.refund("a")
    assert not ratelimit.is_exceeded("a", "me", limit=1)
    assert ratelimit.is_exceeded("b", "me", limit=1)
    charge.refund()
    assert not ratelimit.is_exceeded("b", "me", limit=1)


def test_a_form_is_charged_once_however_often_it_is_sent():
    form = "a" * 32
    for _ in range(3):  # the first attempt's answer was lost, twice
        assert ratelimit.hit("form", "me", limit=2, window=60, once=form)
    assert ratelimit.hit("form", "me", limit=2, window=60, once="b" * 32)
    # The allowance is used up, but a retry of a form let through passes.
    assert not ratelimit.hit("form", "me", limit=2, window=60, once="c" * 32)
    assert ratelimit.hit("form", "me", limit=2, window=60, once=form)
    # A form refused is not let through by sending it again.
    assert not ratelimit.hit("form", "me", limit=2, window=60, once="c" * 32)


def test_a_retry_refunds_nothing_it_did_not_count():
    form = "d" * 32
    first = ratelimit.hit("retry", "me", limit=1, window=60, once=form)
    retry = ratelimit.hit("retry", "me", limit=1, window=60, once=form)
    assert first and retry
    retry.refund()  # the retry found the first attempt's ticket
    assert ratelimit.is_exceeded("retry", "me", limit=1)


def test_a_refunded_form_is_charged_when_sent_again():
    # An invalid form gives its hit back; once corrected it counts, so a
    # refund cannot make a form free.
    form = "e" * 32
    ratelimit.hit("fix", "me", limit=1, window=60, once=form).refund()
    assert ratelimit.hit("fix", "me", limit=1, window=60, once=form)
    assert ratelimit.is_exceeded("fix", "me", limit=1)
    assert not ratelimit.hit("fix", "me", limit=1, window=60, once="f" * 32)


def test_a_limit_without_once_counts_every_attempt_of_a_form():
    form = "a" * 32
    limits = (("every", "me", 10, 60), ("per-form", "me", 10, 60, form))
    for _ in range(3):
        ratelimit.hit_all(*limits)
    assert ratelimit.is_exceeded("every", "me", limit=3)
    assert not ratelimit.is_exceeded("per-form", "me", limit=2)


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


def test_a_form_marker_lasts_the_window():
    if not sharedcache.uses_redis():
        pytest.skip("Redis only: local memory's expiry is Django's own")
    item = ratelimit.Limit("marker", "me", 1, 60, "a" * 32)
    assert ratelimit.hit_all(item)
    assert 0 < sharedcache.command("TTL", cache.make_key(ratelimit._marker(item))) <= 60
