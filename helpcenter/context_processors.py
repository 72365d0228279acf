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
        "site_url": settings.HELPCENTER_SITE_URL.rstrip("/"),
        "default_alternate_urls": {
            code: translate_url(path, code) for code, _name in settings.LANGUAGES
        },
        "current_language": current,
    }
