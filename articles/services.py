"""Writes with side effects for articles: votes, view counts, publishing."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from articles.models import Article, ArticleVote
from channels import secrets
from helpcenter import sharedcache

VIEW_KEY = "article-views:{}"


def voter_hash(token: str) -> str:
    """Return the stored form of a browser's anonymous voter token.

    Only a salted hash is kept, so the database never holds the cookie value.
    """
    salted = f"{settings.SECRET_KEY}:{token}".encode()
    return hashlib.sha256(salted).hexdigest()


@transaction.atomic
def article_vote(
    *,
    article: Article,
    voter: str,
    is_helpful: bool,
    reason: str = "",
    comment: str = "",
) -> ArticleVote:
    """Record or change this browser's answer to "Was this helpful?".

    One row per (article, voter): voting again replaces the earlier answer.
    A "yes" clears any reason given with an earlier "no". Raises
    ``channels.secrets.SecretFound`` and saves nothing for a comment that
    holds a recovery phrase or key (``VoteForm`` refuses it first).
    """
    if is_helpful:
        reason, comment = "", ""
    secrets.ensure_no_secret([("comment", comment)])
    vote, _created = ArticleVote.objects.update_or_create(
        article=article,
        voter=voter,
        defaults={"is_helpful": is_helpful, "reason": reason, "comment": comment},
    )
    return vote


def article_record_view(*, article_id: int) -> None:
    """Count one page view of an article without writing to the database.

    The count accumulates in the cache (shared by all app servers when Redis
    is configured). The view that brings an article's pending count to
    ``HELPCENTER_VIEW_FLUSH_EVERY`` moves exactly that many views to the
    database in one UPDATE; ``incr`` is atomic, so no view is counted twice
    or lost between concurrent requests.
    """
    every = max(1, settings.HELPCENTER_VIEW_FLUSH_EVERY)
    key = VIEW_KEY.format(article_id)
    # One round trip per view with Redis (a single INCR).
    pending = sharedcache.incr(key)
    if pending >= every and pending % every == 0:
        cache.decr(key, every)
        Article.objects.filter(pk=article_id).update(view_count=F("view_count") + every)


def article_flush_view_counts(*, article_ids: list[int] | None = None) -> int:
    """Move every pending cached view count to the database.

    Returns the number of views moved. Used by ``flush_view_counts``; safe to
    run while pages are being served (each count is taken with ``decr``).
    """
    if article_ids is None:
        article_ids = list(Article.objects.values_list("pk", flat=True))
    moved = 0
    for start in range(0, len(article_ids), 500):
        batch = article_ids[start : start + 500]
        keys = {VIEW_KEY.format(pk): pk for pk in batch}
        for key, pending in cache.get_many(list(keys)).items():
            if pending and pending > 0:
                cache.decr(key, pending)
                Article.objects.filter(pk=keys[key]).update(
                    view_count=F("view_count") + pending
                )
                moved += pending
    return moved


def article_publish(*, articles: QuerySet) -> int:
    """Publish the given articles; those without a publish time get now.

    Saves each one so revision history records the change. Returns the count.
    """
    count = 0
    for article in articles:
        article.status = Article.Status.PUBLISHED
        if article.published_at is None:
            article.published_at = timezone.now()
        article.save()
        count += 1
    return count


def article_unpublish(*, articles: QuerySet) -> int:
    """Move the given articles back to draft, recording history. Returns the count."""
    count = 0
    for article in articles:
        article.status = Article.Status.DRAFT
        article.save()
        count += 1
    return count
