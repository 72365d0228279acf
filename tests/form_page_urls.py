"""The site's URLs plus one cached public page carrying a CSRF token, for
the page cache's per-reader tokens (tests/test_pagecache.py): since the
article page's vote form needs none, no page of the site is both cached
for every reader and tokened, but the cache keeps supporting one."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_POST

from helpcenter.pagecache import public_page
from helpcenter.urls import urlpatterns as site_urlpatterns

FORM = engines["django"].from_string(
    '<form method="post" action="/form/sent/">{% csrf_token %}'
    "<button>Send</button></form>"
)


def form_page(request):
    return HttpResponse(FORM.render(request=request))


@require_POST
def form_sent(request):
    return HttpResponse("sent")


urlpatterns = [
    path("form/", public_page(form_page), name="form_page"),
    path("form/sent/", form_sent, name="form_sent"),
    *site_urlpatterns,
]
handler404 = "articles.views.page_not_found"
handler500 = "articles.views.server_error"
