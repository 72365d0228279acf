"""Writes with side effects for articles: votes, view counts, publishing."""

import atexit
import hashlib
import os
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
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


# Views counted by this process and not yet added to the shared count, by
# article id (see article_record_view).
_views: dict[int, int] = {}
_views_lock = threading.Lock()
_views_timer: threading.Timer | None = None


def article_record_view(*, article_id: int) -> None:
    """Count one page view of an article without writing to the database.

    With ``HELPCENTER_VIEW_BUFFER_MS`` above 0, the views of each process
    wait that long in memory and then go to the shared count together, one
    command per article however many views it had (a cached page hit then
    makes no round trip for its view). A process stopped in the normal way
    sends what it holds (``gunicorn.conf.py``'s ``worker_exit`` and
    ``atexit``); one killed outright loses at most that long of its views.
    """
    delay = settings.HELPCENTER_VIEW_BUFFER_MS / 1000
    if delay <= 0:
        _count_views({article_id: 1})
        return
    global _views_timer
    with _views_lock:
        _views[article_id] = _views.get(article_id, 0) + 1
        if _views_timer is None:
            _views_timer = threading.Timer(delay, article_send_buffered_views)
            _views_timer.daemon = True
            _views_timer.start()


def article_send_buffered_views() -> int:
    """Add this process's buffered views to the shared count; return how
    many there were."""
    global _views_timer
    with _views_lock:
        counts = dict(_views)
        _views.clear()
        _views_timer = None
    if not counts:
        return 0
    try:
        _count_views(counts)
    finally:
        if threading.current_thread() is not threading.main_thread():
            # The timer's own thread: its database connection ends with it.
            connections.close_all()
    return sum(counts.values())


def _count_views(counts: dict[int, int]) -> None:
    """Add ``counts`` to the shared count of each article.

    The count accumulates in the cache (shared by all app servers when Redis
    is configured). The addition that takes an article's pending count past
    a multiple of ``HELPCENTER_VIEW_FLUSH_EVERY`` moves that many whole
    batches to the database in one UPDATE; ``incr`` and ``decr`` are
    atomic, so no view is counted twice or lost between concurrent writers.
    """
    every = max(1, settings.HELPCENTER_VIEW_FLUSH_EVERY)
    for article_id, views in counts.items():
        key = VIEW_KEY.format(article_id)
        pending = sharedcache.incr(key, views)
        moved = (pending // every - (pending - views) // every) * every
        if moved > 0:
            cache.decr(key, moved)
            Article.objects.filter(pk=article_id).update(
                view_count=F("view_count") + moved
            )


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


def _forget_views_in_child() -> None:
    # A forked child starts with its parent's views (the parent sends them)
    # and none of its timer thread.
    global _views_timer
    _views.clear()
    _views_timer = None


# A process that ends normally sends the views it still holds.
atexit.register(article_send_buffered_views)
os.register_at_fork(after_in_child=_forget_views_in_child)
