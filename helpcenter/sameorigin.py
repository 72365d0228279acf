"""Where a POST came from, for the one form a cached page shows without a
CSRF token: the article page's "Was this article helpful?".

A token ties a page to its reader, so a page carrying one cannot be the
same bytes for everyone: each reader costs a new secret, a masked token, a
salted ETag and a ``Set-Cookie``, and no shared cache (or CDN) may keep it.
The yes/no question needs none of that to be safe. Browsers say where a
request comes from: ``Sec-Fetch-Site`` (every current browser) and
``Origin`` (sent with every cross-site POST since about 2020). A page on
another site cannot forge either, so a POST they call same-origin is one
our own page sent, which is what the token proves (OWASP's "Fetch
Metadata" and "standard headers" defences).

A request that says neither (a very old browser, a script) is checked as
Django checks every other form: by its token, through
``CsrfViewMiddleware``. The vote view then asks the reader to confirm on a
page that carries one.
"""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware


def post_origin(request) -> bool | None:
    """True when the browser says this request came from one of our pages,
    False when it says it came from elsewhere, None when it says nothing."""
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    if site == "same-origin":
        return True
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        own = f"{request.scheme}://{request.get_host()}"
        return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
    if site is not None:
        # "cross-site", "same-site" (a sibling subdomain) or "none".
        return False
    return None


def token_accepted(request) -> bool:
    """Whether Django's CSRF check passes for this request (the token the
    form carried, against the reader's cookie), as for any other form."""
    middleware = CsrfViewMiddleware(lambda request: None)
    return middleware.process_view(request, None, (), {}) is None
