import asyncio

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from channels.models import Ticket
from helpcenter.asgi import application as asgi_application
from helpcenter.middleware import RequestSizeLimitMiddleware

LIMIT = 64 * 1024


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.HELPCENTER_MAX_REQUEST_BYTES = LIMIT


class UnreadableStream:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def _never_called(request):
    raise AssertionError("the view was reached")


def test_declared_body_over_the_limit_is_refused_unread(rf):
    with translation.override("en"):
        request = rf.post(
            "/en/contact/", data=b"x", content_type="application/octet-stream"
        )
        request.META["CONTENT_LENGTH"] = str(LIMIT + 1)
        request._stream = UnreadableStream()
        response = RequestSizeLimitMiddleware(_never_called)(request)
    assertContains(response, "This request is too large", status_code=413)


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "This request is too large"), ("zh-hans", "请求过大")],
)
def test_large_contact_upload_gets_413_page_in_the_language(
    client, db, settings, language, text
):
    shot = SimpleUploadedFile("a.png", b"\x89PNG" + b"\0" * LIMIT, "image/png")
    with translation.override(language):
        url = reverse("channels:contact")
    response = client.post(url, {"attachments": [shot]})
    assertContains(response, text, status_code=413)
    assert Ticket.objects.count() == 0


def test_large_body_to_the_api_gets_413_json(client):
    response = client.post(
        reverse("api:search"),
        data=b"x" * (LIMIT + 1),
        content_type="application/octet-stream",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert response.json()["error"].startswith("This request is too large")


def test_form_fields_over_django_limit_are_413_not_400(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    with translation.override("en"):
        url = reverse("channels:contact")
    response = client.post(url, {"message": "x" * 4096})
    assert response.status_code == 413
    assert Ticket.objects.count() == 0


def test_body_without_length_is_not_read(rf):
    request = rf.post(
        "/en/contact/",
        data=b"x" * (LIMIT * 4),
        content_type="application/octet-stream",
        CONTENT_LENGTH="",
    )
    response = RequestSizeLimitMiddleware(lambda r: HttpResponse(len(r.body)))(request)
    assert (response.status_code, response.content) == (200, b"0")


def test_body_under_the_limit_reaches_the_view(rf):
    request = rf.post("/en/contact/", {"subject": "hello"})
    response = RequestSizeLimitMiddleware(lambda r: HttpResponse(r.POST["subject"]))(
        request
    )
    assert response.content == b"hello"


@pytest.mark.django_db(transaction=True)
def test_asgi_stops_reading_a_chunked_body_at_the_limit():
    chunk = b"x" * 8192
    reads = []
    sent = []

    async def receive():
        reads.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/en/contact/",
        "raw_path": b"/en/contact/",
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": [
            (b"host", b"localhost"),
            (b"content-type", b"application/octet-stream"),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(asgi_application(scope, receive, send))
    start = next(item for item in sent if item["type"] == "http.response.start")
    body = b"".join(item.get("body", b"") for item in sent[1:])
    assert start["status"] == 413 and b"too large" in body
    assert sum(reads) <= LIMIT + len(chunk)
