"""schema.org JSON-LD documents for article and category pages.

Each document carries what Google's structured-data documentation asks for
its type (tests/test_conformance.py holds the list): an ``Article`` its
headline, dates and author; a ``FAQPage`` at least one ``Question`` with an
``acceptedAnswer``; a ``BreadcrumbList`` numbered items with a name and an
absolute URL.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, Category


def _site(*, base_url: str) -> dict:
    """Return the help center as a schema.org ``Organization``."""
    return {
        "@type": "Organization",
        "name": _("%(product_name)s Help Center")
        % {"product_name": settings.HELPCENTER_PRODUCT_NAME},
        "url": base_url + reverse("articles:home"),
    }


def article_jsonld(*, article: Article, url: str, base_url: str) -> dict:
    """Return the schema.org ``Article`` for an article page.

    The author is the help center itself: articles are written by the
    support team, and staff user names are not for publishing.
    """
    published = timezone.localtime(article.published_at or article.updated_at)
    modified = timezone.localtime(article.updated_at)
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.summary,
        "inLanguage": article.language,
        "datePublished": published.isoformat(timespec="seconds"),
        "dateModified": modified.isoformat(timespec="seconds"),
        "author": _site(base_url=base_url),
        "publisher": _site(base_url=base_url),
        "articleSection": article.category.name,
        "mainEntityOfPage": url,
    }


def category_jsonld(
    *, category: Category, articles: list[Article], base_url: str
) -> dict:
    """Return a schema.org ``FAQPage``: each article's title and summary.

    A ``FAQPage`` needs at least one question: callers leave it out for a
    page without articles.
    """
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "name": category.name,
        "mainEntity": [
            {
                "@type": "Question",
                "name": article.title,
                "url": base_url + article.get_absolute_url(),
                "acceptedAnswer": {
                    "@type": "Answer",
                    "text": article.summary or article.title,
                },
            }
            for article in articles
        ],
    }


def breadcrumb_jsonld(
    *, category: Category, base_url: str, article: Article | None = None
) -> dict:
    """Return the schema.org ``BreadcrumbList`` of a category or article page.

    The same trail as the page's breadcrumb navigation: the help center home,
    the category, then the article when there is one.
    """
    trail = [
        (_("Help Center"), reverse("articles:home")),
        (category.name, category.get_absolute_url()),
    ]
    if article is not None:
        trail.append((article.title, article.get_absolute_url()))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": base_url + path,
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }
