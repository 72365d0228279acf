"""Refuse a request body over ``HELPCENTER_MAX_REQUEST_BYTES`` before reading it.

Django bounds the form fields of a body (``DATA_UPLOAD_MAX_MEMORY_SIZE``)
but not its files, which it streams to disk whatever their size. A declared
``Content-Length`` over the limit is answered with 413 without reading a
byte. A body sent without one (chunked) is not read at all under WSGI:
Django reads only the declared length; ``helpcenter.asgi`` stops reading
at the limit.
"""

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
                request.POST
            except RequestDataTooBig:
                return too_large_response(request)
        return self.get_response(request)
