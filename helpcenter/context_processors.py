from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def site(request):
    """Site-wide template context: product name and the language switcher.

    A view that knows better URLs for the other language (an article whose
    translation has another slug) passes ``alternate_urls`` itself; this
    fallback maps the current path into each language. No queries.
    """
    current = translation.get_language()
    path = request.get_full_path()
    return {
        "product_name": settings.HELPCENTER_PRODUCT_NAME,
        # Absolute links (canonical, hreflang) use the host the request came
        # to; ALLOWED_HOSTS guarantees it is one of ours.
        "absolute_base": request.build_absolute_uri("/").rstrip("/"),
        "default_alternate_urls": {
            code: translate_url(path, code) for code, _name in settings.LANGUAGES
        },
        "current_language": current,
    }
