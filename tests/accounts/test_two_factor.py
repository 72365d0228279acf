from binascii import unhexlify

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpcenter.accounts.views import ENROL_KEY_SESSION
from tests.accounts.conftest import is_signed_in, sign_in

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:two_factor")
ADMIN = reverse("admin:index")


def _code(key_hex: str, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(key_hex))
    totp.time += steps_ahead * totp.step
    return f"{totp.token():06d}"


def _enrol_page(client):
    response = client.get(ENROL, HTTP_ACCEPT_LANGUAGE="en")
    return response, client.session[ENROL_KEY_SESSION]


def test_admin_sends_password_only_staff_to_enrolment_in_production(
    client, agent, production
):
    client.force_login(agent)
    response = client.get(ADMIN, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain[-1] == (f"{ENROL}?{urlencode({'next': ADMIN})}", 302)
    assert response.status_code == 200
    assert "scan this QR code" in response.text


def test_password_alone_opens_the_admin_when_two_factor_is_optional(client, agent):
    assert sign_in(client, "agent").status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_enrolment_page_shows_a_server_drawn_qr_code_and_the_key(client, agent):
    client.force_login(agent)
    response, key = _enrol_page(client)
    assert response.status_code == 200
    assert 'class="segno"><g transform="scale(5)">' in response.text
    assert 'src="http' not in response.text  # drawn here, not by a QR service
    secret = TOTPDevice(user=agent, key=key).config_url.split("secret=")[1][:32]
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in response.text
    # Nothing is stored until a code proves the app has the key.
    assert not TOTPDevice.objects.exists()
    assert _enrol_page(client)[1] == key  # a reload keeps the same QR code


def test_enrolment_page_speaks_chinese(client, agent):
    client.force_login(agent)
    response = client.get(ENROL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "扫描下面的二维码" in response.text
    assert "开启两步验证" in response.text


def test_wrong_code_does_not_enrol(client, agent, production):
    client.force_login(agent)
    _response, key = _enrol_page(client)
    wrong = f"{(int(_code(key)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"otp_token": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "That code does not match" in response.text
    assert not TOTPDevice.objects.exists()
    assert client.get(ADMIN).status_code == 302


@pytest.mark.parametrize("junk", ["", "abcdef", "１２３", "12 34 56 78 90 12 34"])
def test_junk_code_is_a_clear_error(client, agent, junk):
    client.force_login(agent)
    _enrol_page(client)
    response = client.post(ENROL, {"otp_token": junk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert not TOTPDevice.objects.exists()


def test_valid_code_enrols_and_verifies_the_session(client, agent, production):
    client.force_login(agent)
    _response, key = _enrol_page(client)
    response = client.post(
        ENROL, {"otp_token": _code(key), "next": ADMIN}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302 and response["Location"] == ADMIN
    device = TOTPDevice.objects.get(user=agent)
    assert device.confirmed and device.key == key
    assert ENROL_KEY_SESSION not in client.session
    page = client.get(ADMIN, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Two-factor sign-in is now on." in page.text


def test_full_width_digits_from_an_input_method_are_accepted(client, agent):
    client.force_login(agent)
    _response, key = _enrol_page(client)
    full_width = _code(key).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert client.post(ENROL, {"otp_token": full_width}).status_code == 302
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()


def test_enrolment_refuses_an_outside_next_url(client, agent):
    client.force_login(agent)
    _response, key = _enrol_page(client)
    response = client.post(
        ENROL, {"otp_token": _code(key), "next": "https://evil.example/admin/"}
    )
    assert response["Location"] == ADMIN


def test_enrolled_staff_cannot_replace_their_device_from_the_page(client, agent):
    device = TOTPDevice.objects.create(user=agent, confirmed=True)
    client.force_login(agent)
    page = client.get(ENROL, HTTP_ACCEPT_LANGUAGE="en")
    assert "Two-factor sign-in is on for your account" in page.text
    assert device.key not in page.text and 'class="segno"' not in page.text
    client.post(ENROL, {"otp_token": "123456"})
    assert list(TOTPDevice.objects.all()) == [device]


def test_enrolment_page_is_for_staff_only(client, django_user_model):
    assert client.get(ENROL)["Location"].startswith(reverse("admin:login"))
    member = django_user_model.objects.create_user(username="member", password="x")
    client.force_login(member)
    assert client.get(ENROL)["Location"].startswith(reverse("admin:login"))
    assert not TOTPDevice.objects.exists()


def test_sign_in_with_password_and_code_opens_the_admin_in_production(
    client, agent, production
):
    device = TOTPDevice.objects.create(user=agent, confirmed=True)
    response = sign_in(client, "agent", token=_code(device.key))
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_sign_in_without_the_code_is_refused(client, agent, production):
    TOTPDevice.objects.create(user=agent, confirmed=True)
    response = sign_in(client, "agent")
    assert response.status_code == 200
    assert "enter the 6-digit code" in response.text
    assert not is_signed_in(client)


def test_a_device_makes_the_code_required_even_when_optional(client, agent):
    device = TOTPDevice.objects.create(user=agent, confirmed=True)
    assert not is_signed_in(client) and sign_in(client, "agent").status_code == 200
    assert sign_in(client, "agent", token=_code(device.key)).status_code == 302


def test_a_used_code_cannot_sign_in_again(client, agent, production):
    client.force_login(agent)
    _response, key = _enrol_page(client)
    code = _code(key)
    client.post(ENROL, {"otp_token": code})
    client.logout()
    response = sign_in(client, "agent", token=code)
    assert response.status_code == 200
    assert "That authentication code is not valid" in response.text
    assert not is_signed_in(client)


def test_password_only_session_of_enrolled_staff_is_refused_in_production(
    client, agent, production
):
    TOTPDevice.objects.create(user=agent, confirmed=True)
    client.force_login(agent)
    response = client.get(ADMIN)
    assert response["Location"].startswith(reverse("admin:login"))
    login = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert login.status_code == 200
    assert 'name="otp_token"' in login.text


def test_login_page_offers_the_code_field_in_both_languages(client):
    en = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")
    zh = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Authentication code" in en.text
    assert 'autocomplete="one-time-code"' in en.text
    assert "验证码" in zh.text


def test_staff_pages_outside_the_admin_ask_for_two_factor_too(
    client, staff_user, settings
):
    url = reverse("channels:attachment", kwargs={"name": "missing.png"})
    client.force_login(staff_user)
    assert client.get(url).status_code == 404  # let in: the file is just missing
    settings.HELPCENTER_REQUIRE_2FA = True
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_pages_carry_the_help_centers_name(client, staff_user, settings):
    settings.HELPCENTER_PRODUCT_NAME = "Cobalt"
    client.force_login(staff_user)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Cobalt 帮助中心 · 客服后台" in response.content.decode()
    assert "Django 管理" not in response.content.decode()
