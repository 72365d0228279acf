"""One JSON log line per request, with an id that the response header, every
log record of the request and the error pages share."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import path, reverse
from django.utils import translation
from pythonjsonlogger.json import JsonFormatter
from pytest_django.asserts import assertContains

from channels.tickets import services
from channels.tickets.models import Topic
from helpcenter.middleware import RequestIdFilter
from tests.factories import make_topic

pytestmark = pytest.mark.django_db


def as_json(record) -> dict:
    """The record as the console handler of settings.LOGGING writes it."""
    options = {
        key: value
        for key, value in settings.LOGGING["formatters"]["json"].items()
        if key != "()"
    }
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter(**options).format(record))


def request_lines(caplog) -> list[dict]:
    return [as_json(r) for r in caplog.records if r.name == "helpcenter.request"]


@pytest.fixture(autouse=True)
def _info_logs(caplog):
    caplog.set_level(logging.INFO, logger="helpcenter.request")


def test_each_request_writes_one_json_line(client, caplog):
    response = client.get("/zh-hans/?page=2&q=my-secret-words")
    [line] = request_lines(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/zh-hans/"
    assert line["status"] == response.status_code == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["level"], line["logger"]) == ("INFO", "helpcenter.request")
    assert "my-secret-words" not in json.dumps(line)


def test_a_safe_incoming_request_id_is_kept(client, caplog):
    response = client.get("/zh-hans/", HTTP_X_REQUEST_ID="lb-7f3a:2b.9_c")
    assert response["X-Request-ID"] == "lb-7f3a:2b.9_c"
    assert request_lines(caplog)[0]["request_id"] == "lb-7f3a:2b.9_c"


@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "x" * 129,
        "has spaces in it",
        "<script>alert(1)</script>",
        "abc\r\nSet-Cookie: a=b",
        "-leading-dash-id",
        "请求编号一二三四五六",
    ],
)
def test_an_unsafe_incoming_request_id_is_replaced(client, caplog, incoming):
    response = client.get("/zh-hans/", HTTP_X_REQUEST_ID=incoming)
    generated = response["X-Request-ID"]
    assert generated != incoming
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert request_lines(caplog)[0]["request_id"] == generated


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/zh-hans/")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_a_status_links_token_never_reaches_the_log(client, caplog):
    topic = make_topic(slug="general", kind=Topic.Kind.GENERAL)
    receipt = services.ticket_create(
        topic=topic,
        email="li.lei@example.com",
        subject="Export button",
        message="I cannot find the export button.",
        language="en",
        submission_key="k" * 32,
    )
    with translation.override("en"):
        url = reverse(
            "channels:ticket_status",
            kwargs={"reference": receipt.ticket.reference, "token": receipt.token},
        )
    assert client.get(url).status_code == 200
    [line] = request_lines(caplog)
    assert line["path"] == f"/en/contact/tickets/{receipt.ticket.reference}/[redacted]/"
    assert receipt.token not in json.dumps(line)


def test_not_found_page_shows_the_request_id(client, caplog):
    response = client.get("/en/no-such-page/", HTTP_X_REQUEST_ID="support-case-4711")
    assertContains(
        response,
        "Quote this code if you contact support: <code>support-case-4711</code>",
        status_code=404,
    )
    assert request_lines(caplog)[0]["status"] == 404


def test_chinese_not_found_page_asks_for_the_code_in_chinese(client):
    response = client.get("/zh-hans/no-such-page/")
    assertContains(response, "联系客服时，请提供此编号：", status_code=404)


def _broken(request):
    logging.getLogger("channels").warning("about to fail")
    raise RuntimeError("boom")


class BrokenUrls:
    urlpatterns = [path("broken/", _broken)]
    handler500 = "articles.views.server_error"


def test_server_error_is_logged_with_the_same_id_everywhere(client, caplog, settings):
    settings.ROOT_URLCONF = BrokenUrls
    client.raise_request_exception = False
    caplog.set_level(logging.INFO)
    response = client.get("/broken/", HTTP_X_REQUEST_ID="incident-20261204")
    assert response.status_code == 500
    assert "<code>incident-20261204</code>" in response.text
    by_logger = {record.name: as_json(record) for record in caplog.records}
    assert by_logger["helpcenter.request"]["level"] == "ERROR"
    assert by_logger["helpcenter.request"]["status"] == 500
    # Written while the request ran, and by Django after the middleware.
    for name in ("channels", "django.request", "helpcenter.request"):
        assert by_logger[name]["request_id"] == "incident-20261204"
    # The request object (its text holds the query string) is never written.
    assert "request" not in by_logger["django.request"]
