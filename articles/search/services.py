"""Writes of the search feature: recording searches and opened results."""

from django.core import signing
from django.db import transaction

from articles.search import analysis
from articles.search.models import SearchQuery
from channels.secrets import contains_secret

_SIGNER_SALT = "articles.search.open"
_INSTANT_SALT = "articles.search.instant"
# An instant-search link records its search for this long after it was shown.
INSTANT_TOKEN_SECONDS = 3600


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
    if not text or contains_secret(query) or contains_secret(text):
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


def instant_search_token(*, query: str, language: str, result_count: int) -> str:
    """Return the signed token of an instant search, which is not recorded
    when shown (it runs on every keystroke) but when one of its results is
    opened; "" when it must never be stored (see ``search_query_record``)."""
    text = analysis.clean_query(query)
    if not text or contains_secret(query) or contains_secret(text):
        return ""
    payload = {"q": analysis.normalize(text)[:200], "l": language, "n": result_count}
    return signing.dumps(payload, salt=_INSTANT_SALT, compress=True)


def _record_instant_open(token: str, article_id: int, rank: int | None) -> bool:
    try:
        payload = signing.loads(
            token, salt=_INSTANT_SALT, max_age=INSTANT_TOKEN_SECONDS
        )
        query, language, count = payload["q"], payload["l"], int(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    SearchQuery.objects.create(
        query=query,
        language=language,
        result_count=count,
        opened_article_id=article_id,
        opened_rank=rank,
    )
    return True


@transaction.atomic
def search_query_record_open(*, token: str, article_id: int, rank: int | None) -> bool:
    """Note which result a search led to; return whether anything changed.

    Only the first opened result of a search is kept, and only for a token
    this site signed, so links cannot be forged to skew the statistics. An
    instant-search token records its search, opened, at this point.
    """
    if rank is not None and not 0 < rank < 10_000:
        rank = None
    try:
        search_id = int(signing.Signer(salt=_SIGNER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return _record_instant_open(token, article_id, rank)
    updated = SearchQuery.objects.filter(
        pk=search_id, opened_article__isnull=True
    ).update(opened_article_id=article_id, opened_rank=rank)
    return bool(updated)
