"""Site-wide: error pages, redirects and forms never speak attacker text."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from articles.forms import VoteForm
from channels.forms import ReportForm
from channels.tickets.forms import ContactForm
from tests.hostile import HOSTILE, assert_not_echoed, site_text

PATH = quote(HOSTILE)


def test_site_text_keeps_everything_but_form_control_values():
    html = (
        '<title>A &amp; B</title><a href="/x" title="t">link</a>'
        '<input type="search" value="typed"><textarea>typed too</textarea>'
        '<meta content="described">'
    )
    text = site_text(html)
    assert "typed" not in text
    assert all(part in text for part in ("A & B", "/x", "t", "link", "described"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/zh-hans/{PATH}/",
        f"/en/{PATH}/",
        f"/{PATH}",
        f"/zh-hans/articles/{PATH}/",
        f"/en/categories/{PATH}/",
        f"/zh-hans/tags/{PATH}/",
        f"/zh-hans/search/open/?article={PATH}&lang=zh-hans",
        f"/zh-hans/search/open/?article=x&lang={PATH}",
        f"/api/{PATH}",
        f"/api/search/{PATH}",
    ],
)
def test_not_found_page_does_not_repeat_the_requested_path(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert_not_echoed(response)
    assertContains(response, "search", status_code=404)


@pytest.mark.django_db
def test_not_found_page_still_helps_and_links_each_language_home(client):
    response = client.get(f"/en/{PATH}/")
    assertContains(response, "We couldn't find that page", status_code=404)
    assertContains(response, 'href="/en/contact/"', status_code=404)
    assertContains(response, 'hreflang="zh-hans" lang="zh-hans"', status_code=404)
    assertContains(response, 'href="/zh-hans/" hreflang="zh-hans"', status_code=404)
    assert 'rel="canonical"' not in response.content.decode()


@pytest.mark.django_db
def test_not_found_page_in_chinese_reads_in_chinese(client):
    response = client.get(f"/zh-hans/{PATH}/")
    assertContains(response, "找不到该页面", status_code=404)
    assert_not_echoed(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_language_switch_next_never_leaves_the_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_language_switch_next_with_text_lands_on_a_silent_not_found(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": f"/en/{HOSTILE}/"}
    )
    assert response["Location"].startswith("/en/%E8%AF%B7")
    landed = client.get(response["Location"])
    assert landed.status_code == 404
    assert_not_echoed(landed)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_staff_login_next_never_leaves_the_site(client, staff_user, target):
    login = reverse("admin:login")
    page = client.get(login, {"next": HOSTILE})
    assert_not_echoed(page)
    response = client.post(
        f"{login}?next={quote(target)}",
        {"username": "staff", "password": "staff-password", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


PUBLIC_FORMS = [ContactForm, ReportForm, VoteForm]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", PUBLIC_FORMS)
def test_public_form_errors_never_quote_the_submitted_value(form_class):
    for name, field in form_class().fields.items():
        for code, message in field.error_messages.items():
            assert "%(value)" not in str(message), (name, code)


@pytest.mark.django_db
def test_invalid_choice_message_is_fixed_text():
    with translation.override("en"):
        form = VoteForm({"helpful": HOSTILE, "reason": HOSTILE})
        assert not form.is_valid()
        messages = [str(error) for errors in form.errors.values() for error in errors]
    assert messages == ["Please choose one of the listed options."] * 2
