import os

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import get_language_from_path

from helpcenter.middleware import too_large_response

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")


class LimitedASGIHandler(ASGIHandler):
    """Django's ASGI handler, but it stops reading a body at the size limit.

    Django's own reads the whole body to a temporary file before any
    middleware runs, so a body without ``Content-Length`` (or one that lies)
    could fill the disk.
    """

    async def read_body(self, receive):
        limit = settings.HELPCENTER_MAX_REQUEST_BYTES
        received = 0

        async def bounded_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # Nothing more is read; create_request answers 413.
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        body_file = await super().read_body(bounded_receive)
        body_file.too_large = received > limit
        return body_file

    def create_request(self, scope, body_file):
        request, error = super().create_request(scope, body_file)
        if request is None or not getattr(body_file, "too_large", False):
            return request, error
        # No middleware has run yet: choose the language from the path.
        language = get_language_from_path(request.path_info)
        with translation.override(language or settings.LANGUAGE_CODE):
            try:
                return None, too_large_response(request)
            except Exception:  # noqa: BLE001 - e.g. a host not allowed
                return None, HttpResponse("Request too large", status=413)


# What django.core.asgi.get_asgi_application() does, with this handler.
django.setup(set_prefix=False)
application = LimitedASGIHandler()
