"""schema.org JSON-LD documents for article and category pages."""

from articles.models import Article, Category


def article_jsonld(*, article: Article, url: str) -> dict:
    """Return the schema.org ``Article`` for an article page."""
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.summary,
        "inLanguage": article.language,
        "datePublished": (
            article.published_at.isoformat() if article.published_at else None
        ),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.category.name,
        "mainEntityOfPage": url,
    }


def category_jsonld(
    *, category: Category, articles: list[Article], base_url: str
) -> dict:
    """Return a schema.org ``FAQPage``: each article's title and summary."""
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
