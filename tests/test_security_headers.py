"""Every kind of response carries the security headers, and every cookie
the site sets is HttpOnly, SameSite and (behind HTTPS) Secure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path, reverse
from django.utils import translation

from articles.views import VOTER_COOKIE
from channels.tickets import services
from channels.tickets.models import Topic
from channels.tickets.views import RECEIPTS_COOKIE
from tests.channels.conftest import FORM_SESSION_ID, contact_data, image_bytes
from tests.factories import make_topic

ROOT = Path(__file__).resolve().parent.parent

EXPECTED_DIRECTIVES = {
    "default-src": {"'none'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "manifest-src": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}


def csp_directives(response) -> dict[str, set[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def assert_security_headers(
    response, *, directives=EXPECTED_DIRECTIVES, referrer="same-origin"
):
    assert csp_directives(response) == directives
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == referrer
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"
    assert len(response["X-Request-ID"]) == 32


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def screenshot_ticket(db):
    topic = make_topic(slug="general", kind=Topic.Kind.GENERAL)
    shot = services.Screenshot(image_bytes(), "a.png", "image/png", 40, 30)
    receipt = services.ticket_create(
        topic=topic,
        email="li.lei@example.com",
        subject="Export button",
        message="I cannot find the export button.",
        language="en",
        submission_key="k" * 32,
        screenshots=[shot],
    )
    return receipt.ticket, receipt.token


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_public_pages_carry_the_headers(client, article, language):
    with translation.override(language):
        urls = [
            reverse("articles:home"),
            article.get_absolute_url(),
            reverse("articles:search") + "?q=转账",
            reverse("channels:list"),
            reverse("channels:contact"),
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_json_api_answers_carry_the_headers(client, article):
    for url in ["/api/v1/categories?lang=en", "/api/search?q=转账&lang=zh-hans"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        assert_security_headers(response)


def test_api_docs_alone_allow_data_images(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_security_headers(
        response,
        directives=EXPECTED_DIRECTIVES | {"img-src": {"'self'", "data:"}},
    )


def test_admin_pages_carry_the_headers(client, admin_client):
    login = client.get(reverse("admin:login"))
    index = admin_client.get(reverse("admin:index"))
    assert (login.status_code, index.status_code) == (200, 200)
    assert_security_headers(login)
    assert_security_headers(index)


def test_error_pages_carry_the_headers(client, db):
    missing = client.get("/zh-hans/no-such-page/")
    assert missing.status_code == 404
    assert_security_headers(missing)

    too_large = client.post(
        reverse("channels:contact"),
        CONTENT_LENGTH=str(10**9),
        data=b"",
        content_type="application/octet-stream",
    )
    assert too_large.status_code == 413
    assert_security_headers(too_large)

    forged = Client(enforce_csrf_checks=True).post(reverse("channels:contact"), {})
    assert forged.status_code == 403
    assert_security_headers(forged)
    assert "表单已失效" in forged.text and "This form has expired" in forged.text

    # Each one names the request, for the reader to quote to support.
    for response in (missing, too_large, forged):
        assert f"<code>{response['X-Request-ID']}</code>" in response.text


def test_too_many_requests_page_names_the_request(client, db, settings):
    from channels.tickets import views

    for _attempt in range(views.CONTACT_POST_LIMIT + 1):
        response = client.post(reverse("channels:contact"), {})
    assert response.status_code == 429
    assert f"<code>{response['X-Request-ID']}</code>" in response.text


def _broken(request):
    raise RuntimeError("boom")


class BrokenUrls:
    urlpatterns = [path("broken/", _broken)]
    handler500 = "articles.views.server_error"


def test_server_error_page_carries_the_headers_and_the_request_id(client, settings):
    settings.ROOT_URLCONF = BrokenUrls
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_security_headers(response)
    request_id = response["X-Request-ID"]
    assert f"<code>{request_id}</code>" in response.text
    assert "Quote this code if you contact support" in response.text


def test_lockout_page_carries_the_headers(client, django_user_model):
    django_user_model.objects.create_user(
        username="agent", password="right", is_staff=True
    )
    for _attempt in range(5):
        response = client.post(
            reverse("admin:login"), {"username": "agent", "password": "wrong"}
        )
    assert response.status_code == 429
    assert_security_headers(response)


def test_uploaded_screenshots_carry_the_headers(
    client, admin_client, screenshot_ticket
):
    ticket, token = screenshot_ticket
    name = ticket.attachments.get().file.name.removeprefix("tickets/")
    with translation.override("en"):
        for_requester = client.get(
            reverse(
                "channels:ticket_screenshot",
                kwargs={"reference": ticket.reference, "token": token, "name": name},
            )
        )
    for_staff = admin_client.get(
        reverse(
            "channels:attachment", kwargs={"name": ticket.attachments.get().file_name}
        )
    )
    # Stricter than the pages: nothing may load, nothing may run.
    sandboxed = {
        "default-src": {"'none'"},
        "frame-ancestors": {"'none'"},
        "sandbox": set(),
    }
    assert (for_requester.status_code, for_requester["Content-Type"]) == (
        200,
        "image/png",
    )
    # Its URL holds the ticket's token: never sent to another site. (Not
    # no-referrer: the status pages' own forms need an Origin to pass CSRF.)
    assert_security_headers(for_requester, directives=sandboxed, referrer="same-origin")
    assert (for_staff.status_code, for_staff["Content-Type"]) == (200, "image/png")
    assert_security_headers(for_staff, directives=sandboxed)


def test_static_files_carry_the_headers(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert_security_headers(response)


def test_health_check_carries_the_headers(client, db):
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert_security_headers(response)


# HTTPS: HSTS and Secure cookies ---------------------------------------------


def _settings_with(env: dict, expression: str) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print({expression})"
    )
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "HELPCENTER_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "helpcenter.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


HTTPS_SETTINGS = (
    "[settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
    " settings.SECURE_HSTS_PRELOAD, settings.SESSION_COOKIE_SECURE,"
    " settings.CSRF_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE]"
)


def test_https_switches_on_hsts_with_preload_and_secure_cookies():
    assert _settings_with({"HELPCENTER_HTTPS": "1"}, HTTPS_SETTINGS) == (
        "[31536000, True, True, True, True, True]"
    )
    assert (
        _settings_with(
            {"HELPCENTER_HTTPS": "1", "HELPCENTER_HSTS_PRELOAD": "0"}, HTTPS_SETTINGS
        )
        == "[31536000, True, False, True, True, True]"
    )
    assert _settings_with({}, HTTPS_SETTINGS) == (
        "[0, False, False, False, False, False]"
    )


@pytest.fixture
def https(settings):
    """The settings HELPCENTER_HTTPS=1 gives (checked just above)."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True
    return settings


def test_hsts_is_sent_over_https(https, client, article):
    for url in [reverse("articles:home"), "/api/v1/categories", "/static/css/site.css"]:
        response = client.get(url, secure=True)
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert_security_headers(response)


def _assert_cookie(response, name, *, secure=True):
    cookie = response.cookies[name]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) is secure


def test_every_cookie_is_httponly_samesite_and_secure(https, client, article, db):
    contact = client.get(reverse("channels:contact"), secure=True)
    _assert_cookie(contact, "csrftoken")

    language = client.post(
        reverse("set_language"), {"language": "en", "next": "/en/"}, secure=True
    )
    _assert_cookie(language, "django_language")

    with translation.override(article.language):
        vote_url = reverse("articles:vote", args=[article.slug])
    vote = client.post(vote_url, {"helpful": "yes"}, secure=True)
    assert vote.status_code == 302
    _assert_cookie(vote, VOTER_COOKIE)


def test_session_cookie_is_httponly_samesite_and_secure(
    https, client, django_user_model
):
    django_user_model.objects.create_user(
        username="agent", password="right-password", is_staff=True
    )
    response = client.post(
        reverse("admin:login"),
        {"username": "agent", "password": "right-password"},
        secure=True,
    )
    assert response.status_code == 302
    _assert_cookie(response, "sessionid")


def test_contact_receipts_cookie_is_httponly_samesite_and_secure(https, client, db):
    # The form's time trap is tied to the browser's CSRF cookie.
    client.cookies[settings.CSRF_COOKIE_NAME] = FORM_SESSION_ID
    topic = make_topic(slug="general", kind=Topic.Kind.GENERAL)
    data = contact_data(topic)
    data["attachments"] = [SimpleUploadedFile("a.png", image_bytes(), "image/png")]
    with translation.override("en"):
        response = client.post(reverse("channels:contact"), data, secure=True)
    assert response.status_code == 302
    _assert_cookie(response, RECEIPTS_COOKIE)
