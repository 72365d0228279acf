import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpcenter.accounts.signin import lockout_client_ip
from tests.accounts.conftest import is_signed_in, sign_in

pytestmark = pytest.mark.django_db

LIMIT = 5


def _fail(client, username="agent", times=LIMIT, **kwargs):
    return [sign_in(client, username, "wrong-password", **kwargs) for _ in range(times)]


def test_four_wrong_passwords_only_show_the_login_error(client, agent):
    responses = _fail(client, times=LIMIT - 1)
    assert {r.status_code for r in responses} == {200}
    assert "Please enter the correct username and password" in responses[-1].text
    assert AccessAttempt.objects.get().failures_since_start == LIMIT - 1


def test_fifth_wrong_password_locks_out_with_our_page_and_429(client, agent):
    response = _fail(client)[-1]
    assert response.status_code == 429
    assert "accounts/lockout.html" in [t.name for t in response.templates]
    assert "Too many failed sign-in attempts" in response.text
    assert "blocked for 15 minutes" in response.text
    assert response["Retry-After"] == "900"
    assert not is_signed_in(client)


def test_lockout_page_speaks_chinese(client, agent):
    _fail(client)
    response = client.post(
        reverse("admin:login"),
        {"username": "agent", "password": "wrong-password"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert "15 分钟" in response.text


def test_right_password_is_refused_during_lockout(client, agent):
    _fail(client)
    response = sign_in(client, "agent")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_attempts_during_lockout_do_not_extend_it(client, agent):
    _fail(client)
    locked_at = AccessAttempt.objects.get().attempt_time
    _fail(client, times=3)
    attempt = AccessAttempt.objects.get()
    assert (attempt.attempt_time, attempt.failures_since_start) == (locked_at, LIMIT)


def test_axes_reset_username_unlocks(client, agent):
    _fail(client)
    call_command("axes_reset_username", "agent", stdout=None)
    response = sign_in(client, "agent")
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not AccessAttempt.objects.exists()


def test_deleting_the_access_attempt_in_the_admin_unlocks(client, agent, staff_user):
    _fail(client)
    admin = client.__class__()
    admin.force_login(staff_user)
    attempt = AccessAttempt.objects.get()
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert sign_in(client, "agent").status_code == 302


def test_lockout_is_per_username_and_address(client, agent, staff_user):
    _fail(client, ip="203.0.113.5")
    assert sign_in(client, "agent", ip="198.51.100.7").status_code == 302
    client.logout()
    assert sign_in(client, "staff", ip="203.0.113.5").status_code == 302


def test_load_balancer_address_does_not_lock_everyone_out(client, agent, settings):
    settings.HELPCENTER_TRUSTED_PROXIES = 1
    balancer = {"ip": "10.0.0.2"}
    _fail(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **balancer)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    locked = sign_in(client, "agent", HTTP_X_FORWARDED_FOR="203.0.113.5", **balancer)
    assert locked.status_code == 429
    other = sign_in(client, "agent", HTTP_X_FORWARDED_FOR="198.51.100.7", **balancer)
    assert other.status_code == 302


def test_forged_forwarded_for_does_not_escape_the_lockout(client, agent, settings):
    settings.HELPCENTER_TRUSTED_PROXIES = 1
    # The client writes the first entries; the balancer appends the real one.
    for n in range(LIMIT):
        sign_in(
            client,
            "agent",
            "wrong-password",
            ip="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5",
        )
    response = sign_in(
        client, "agent", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5"
    )
    assert response.status_code == 429


def test_ipv6_client_is_locked_by_its_64_network(client, agent):
    for n in range(LIMIT):
        sign_in(client, "agent", "wrong-password", ip=f"2001:db8:1:2::{n + 1:x}")
    assert AccessAttempt.objects.get().ip_address == "2001:db8:1:2::"
    assert sign_in(client, "agent", ip="2001:db8:1:2:ffff::9").status_code == 429
    assert sign_in(client, "agent", ip="2001:db8:1:3::1").status_code == 302


def test_ipv4_and_ipv6_clients_are_counted_apart(client, agent):
    _fail(client, ip="203.0.113.5")
    assert sign_in(client, "agent", ip="2001:db8::5").status_code == 302


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        ("2001:DB8:0001:0002::1", "2001:db8:1:2::"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("::1", "::"),
        ("not-an-address", None),
        ("", None),
    ],
)
def test_lockout_client_ip_groups_ipv6_by_64(rf, remote, expected):
    request = rf.post("/admin/login/", REMOTE_ADDR=remote)
    assert lockout_client_ip(request) == expected


def test_wrong_codes_count_towards_the_lockout(client, agent):
    device = TOTPDevice.objects.create(user=agent, confirmed=True)
    responses = [sign_in(client, "agent", token="000000") for _ in range(LIMIT)]
    assert [r.status_code for r in responses] == [200] * (LIMIT - 1) + [429]
    assert "That authentication code is not valid" in responses[0].text
    assert not is_signed_in(client)
    device.refresh_from_db()
    # django-otp also throttles the device: codes sent within the back-off
    # are refused without being checked.
    assert device.throttling_failure_count >= 1
