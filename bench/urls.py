"""The site's URLs plus ``/floor/`` (see ``bench/settings.py``)."""

from django.http import HttpResponse
from django.urls import path

from helpcenter.urls import handler404, handler500, urlpatterns as site_urlpatterns


def floor(request):
    """The trivial view: through every middleware, no query, no template."""
    return HttpResponse("floor\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("floor/", floor, name="floor"), *site_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
