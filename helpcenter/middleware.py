"""The project's own middleware.

``RequestLogMiddleware`` gives each request an id and logs one line for it;
``CrossOriginResourcePolicyMiddleware`` sets the one security header no kept
library sets; ``RequestSizeLimitMiddleware`` refuses a request body over
``HELPCENTER_MAX_REQUEST_BYTES`` before reading it.

On the size limit: Django bounds the form fields of a body (``DATA_UPLOAD_MAX_MEMORY_SIZE``)
but not its files, which it streams to disk whatever their size. A declared
``Content-Length`` over the limit is answered with 413 without reading a
byte. A body sent without one (chunked) is not read at all under WSGI:
Django reads only the declared length; ``helpcenter.asgi`` stops reading
at the limit.
"""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def declared_length(meta) -> int:
    """Return the request's ``Content-Length``, read as Django reads it (0
    when missing or malformed, so nothing is read)."""
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large_response(request):
    """The 413 answer: JSON under ``/api/``, else a page in the language."""
    message = _(
        "This request is too large (more than %(limit)s). Send fewer or "
        "smaller screenshots."
    ) % {"limit": filesizeformat(settings.HELPCENTER_MAX_REQUEST_BYTES)}
    response = _refusal(request, _("Request too large"), message, status=413)
    # The client may still be sending; closing tells it to stop.
    response["Connection"] = "close"
    return response


def _refusal(request, title: str, message: str, *, status: int):
    if request.path.startswith("/api/v1/"):
        # The error shape of helpcenter.api_errors, which every /api/v1/
        # answer uses.
        body = {"errors": {"__all__": [{"code": "too_large", "message": message}]}}
        return JsonResponse(body, status=status)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=status)
    context = {"title": title, "message": message}
    return render(request, "request_refused.html", context, status=status)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_length(request.META) > settings.HELPCENTER_MAX_REQUEST_BYTES:
            return too_large_response(request)
        if request.method == "POST":
            try:
                # Parse here, where a RequestDataTooBig can still become a
                # 413: raised later (in the CSRF check) Django answers 400.
                request.POST  # noqa: B018 (the read parses the body)
            except RequestDataTooBig:
                return too_large_response(request)
        return self.get_response(request)


# Request id and the access log ----------------------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it is a plain token: it is echoed in a
# header, written into logs and shown on error pages, so anything that could
# split a header, a log line or HTML is replaced by a fresh id.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# The status link's token is a bearer secret and never reaches a log: it is
# cut from every path by its place in the URL, not by URL resolution, since
# some answers come before it (a 413, the redirect adding the language or a
# slash). tests/test_request_log.py checks that it covers every URL with a
# ``token`` in it.
SECRET_PATH = re.compile(r"(/contact/tickets/[^/?#]+/)[^/?#]+")
LOGGED_PATH_MAX = 500

access_logger = logging.getLogger("helpcenter.request")
_current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


def request_id_for(meta) -> str:
    """Return the request's ``X-Request-ID`` when it is a safe token of 8 to
    128 characters, else a new random one (32 hex digits)."""
    incoming = meta.get("HTTP_X_REQUEST_ID", "")
    if SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record: the id of the request being
    answered by this thread or task, or None outside a request; and cuts
    status-link tokens from the record's arguments.

    Django logs a 4xx or 5xx answer (``django.request``) after the middleware
    has returned, but passes the request along: its id is taken from there.
    The path it logs ("Internal Server Error: /en/contact/tickets/...") is
    one of the arguments.
    """

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = _current_request_id.get() or getattr(
                getattr(record, "request", None), "request_id", None
            )
        if isinstance(record.args, tuple):
            record.args = tuple(
                redacted(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        return True


def redacted(text: str) -> str:
    """``text`` with every status-link token replaced by ``[redacted]``."""
    if "/tickets/" not in text:
        return text
    return SECRET_PATH.sub(r"\1[redacted]", text)


def loggable_path(request) -> str:
    """The request's path with secret URL parts replaced, cut to a bound."""
    return redacted(request.path)[:LOGGED_PATH_MAX]


class RequestLogMiddleware:
    """Gives each request an id (``request.request_id``, the ``X-Request-ID``
    response header, every log record) and writes one log line per request
    with its method, path, status and duration.

    Outermost in ``MIDDLEWARE``: Django turns an exception anywhere below into
    the 500 response before it reaches here, so that answer is logged too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request.META)
        reset = _current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            status = response.status_code
            path = loggable_path(request)
            access_logger.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                path,
                status,
                extra={
                    "request_id": request.request_id,
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _current_request_id.reset(reset)


class CrossOriginResourcePolicyMiddleware:
    """Sets ``Cross-Origin-Resource-Policy: same-origin`` (Django sets the
    opener policy but not this one): no other site may embed or read the
    site's pages, images, scripts or uploads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
