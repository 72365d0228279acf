"""Writes of the search feature: recording searches and opened results."""

from django.core import signing
from django.db import transaction

from articles.search import analysis
from articles.search.models import SearchQuery

_SIGNER_SALT = "articles.search.open"


def _contains_secret(text: str) -> bool:
    from channels.secrets import contains_secret

    return contains_secret(text)


def search_query_record(
    *, query: str, language: str, result_count: int
) -> SearchQuery | None:
    """Record one search and return it, or None when it must not be stored.

    The query is stored normalised (folded, whitespace collapsed, cut) and
    without anything identifying the user. A query containing a recovery
    phrase or key is never stored: users paste them by mistake. One INSERT,
    no transaction of its own, so recording costs the search next to nothing.
    """
    text = analysis.clean_query(query)
    if not text or _contains_secret(query) or _contains_secret(text):
        return None
    return SearchQuery.objects.create(
        query=analysis.normalize(text)[:200],
        language=language,
        result_count=result_count,
    )


def search_token(search_query: SearchQuery | None) -> str:
    """Return the signed token that lets a results link report its opening."""
    if search_query is None:
        return ""
    return signing.Signer(salt=_SIGNER_SALT).sign(str(search_query.pk))


@transaction.atomic
def search_query_record_open(*, token: str, article_id: int, rank: int | None) -> bool:
    """Note which result a search led to; return whether anything changed.

    Only the first opened result of a search is kept, and only for a token
    this site signed, so links cannot be forged to skew the statistics.
    """
    try:
        search_id = int(signing.Signer(salt=_SIGNER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return False
    if rank is not None and not 0 < rank < 10_000:
        rank = None
    updated = SearchQuery.objects.filter(
        pk=search_id, opened_article__isnull=True
    ).update(opened_article_id=article_id, opened_rank=rank)
    return bool(updated)
