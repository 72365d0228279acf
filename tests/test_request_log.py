"""One JSON log line per request, with an id that the response header, every
log record of the request and the error pages share."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import path, reverse
from django.utils import translation
from hypothesis import given, strategies as st
from pytest_django.asserts import assertContains
from pythonjsonlogger.json import JsonFormatter

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


def _status_url(
    token: str = "t" * 32, reference: str = "CW-ABCD-EFGH", suffix: str = ""
):
    with translation.override("en"):
        return (
            reverse(
                "channels:ticket_status",
                kwargs={"reference": reference, "token": token},
            )
            + suffix
        )


def _urls_with_a_token(resolver=None, namespace=""):
    """Every URL name whose route holds a ``token``, with its parameters."""
    from django.urls import URLResolver, get_resolver

    for item in (resolver or get_resolver()).url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _urls_with_a_token(item, inner)
        elif "token" in getattr(item.pattern, "converters", {}) and item.name:
            yield f"{namespace}{item.name}", list(item.pattern.converters)


def test_every_url_with_a_token_is_redacted():
    from helpcenter.middleware import redacted

    names = list(_urls_with_a_token())
    assert len(names) >= 6  # status page, reply, close, nudge, rate, phrase...
    for name, parameters in names:
        kwargs = {parameter: f"{parameter}VALUE" for parameter in parameters}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                url = reverse(name, kwargs=kwargs)
            assert "tokenVALUE" not in redacted(url), name
            assert "referenceVALUE" in redacted(url), name


@given(reference=st.text(min_size=1), token=st.text(min_size=1))
def test_redacted_cuts_exactly_the_token(reference, token):
    from urllib.parse import quote

    from helpcenter.middleware import redacted

    reference, token = quote(reference, safe=""), quote(token, safe="")
    for before, after in (
        ("/en", "/"),
        ("", ""),
        ("/zh-hans", "/reply/?x=1"),
    ):
        path = f"{before}/contact/tickets/{reference}/{token}{after}"
        assert (
            redacted(path) == f"{before}/contact/tickets/{reference}/[redacted]{after}"
        )


def _answer_on_a_status_link(client, caplog, path, **extra):
    caplog.set_level(logging.INFO)
    client.raise_request_exception = False
    response = client.get(path, **extra)
    return response, "\n".join(
        json.dumps(as_json(record), default=str) for record in caplog.records
    )


class BrokenStatusUrls:
    urlpatterns = [path("contact/tickets/<str:reference>/<str:token>/", _broken)]
    handler500 = "articles.views.server_error"


def test_a_server_error_on_a_status_link_logs_no_token(client, caplog, settings):
    settings.ROOT_URLCONF = BrokenStatusUrls
    token = "s" * 32
    response, logged = _answer_on_a_status_link(
        client, caplog, f"/contact/tickets/CW-ABCD-EFGH/{token}/"
    )
    assert response.status_code == 500
    assert "Internal Server Error: /contact/tickets/CW-ABCD-EFGH/[redacted]/" in logged
    assert token not in logged


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # The language is added by a redirect before any URL resolves.
        (f"/contact/tickets/CW-ABCD-EFGH/{'s' * 32}/", 302),
        # And the slash.
        (f"/en/contact/tickets/CW-ABCD-EFGH/{'s' * 32}", 301),
    ],
)
def test_answers_before_url_resolution_log_no_token(client, caplog, path, status):
    response, logged = _answer_on_a_status_link(client, caplog, path)
    assert response.status_code == status
    assert "/contact/tickets/CW-ABCD-EFGH/[redacted]" in logged
    assert "s" * 32 not in logged


def test_a_refused_upload_to_a_status_link_logs_no_token(client, caplog, settings):
    settings.HELPCENTER_MAX_REQUEST_BYTES = 100
    caplog.set_level(logging.INFO)
    url = _status_url(suffix="reply/")
    response = client.post(url, {"message": "x" * 500})
    assert response.status_code == 413
    logged = "\n".join(json.dumps(as_json(r), default=str) for r in caplog.records)
    assert "/[redacted]/reply/" in logged and "t" * 32 not in logged
