import runpy
from pathlib import Path

import pytest
from django.core.cache import cache

from articles import services
from articles.models import Article, ArticleVote
from tests.factories import make_article


@pytest.mark.django_db
def test_vote_again_replaces_the_earlier_answer(article):
    services.article_vote(
        article=article, voter="v1", is_helpful=False, reason="unclear"
    )
    services.article_vote(
        article=article, voter="v1", is_helpful=True, reason="unclear"
    )
    vote = ArticleVote.objects.get()
    assert vote.is_helpful is True
    assert vote.reason == ""


@pytest.mark.django_db
def test_votes_from_two_browsers_are_kept_apart(article):
    services.article_vote(article=article, voter="v1", is_helpful=True)
    services.article_vote(
        article=article, voter="v2", is_helpful=False, reason="outdated"
    )
    assert ArticleVote.objects.filter(article=article).count() == 2


def test_voter_hash_hides_the_cookie_value():
    hashed = services.voter_hash("token-value")
    assert "token-value" not in hashed
    assert len(hashed) == 64
    assert hashed == services.voter_hash("token-value")


@pytest.mark.django_db
def test_record_view_writes_nothing_until_the_flush_threshold(
    article, settings, django_assert_num_queries
):
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 5
    with django_assert_num_queries(0):
        for _ in range(4):
            services.article_record_view(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).view_count == 0
    with django_assert_num_queries(1):
        services.article_record_view(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).view_count == 5


@pytest.mark.django_db
def test_flush_moves_pending_views_and_loses_none(article, settings):
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 5
    for _ in range(7):
        services.article_record_view(article_id=article.pk)
    assert services.article_flush_view_counts() == 2
    assert Article.objects.get(pk=article.pk).view_count == 7
    assert services.article_flush_view_counts() == 0
    assert cache.get(services.VIEW_KEY.format(article.pk)) == 0


@pytest.mark.django_db
def test_publish_and_unpublish_record_history(draft_article):
    assert (
        services.article_publish(articles=Article.objects.filter(pk=draft_article.pk))
        == 1
    )
    draft_article.refresh_from_db()
    assert draft_article.is_published
    services.article_unpublish(articles=Article.objects.filter(pk=draft_article.pk))
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT
    assert [row.status for row in draft_article.history.all()] == [
        "draft",
        "published",
        "draft",
    ]


def test_vote_service_refuses_a_comment_holding_a_secret(article):
    from channels.secrets import SecretFound

    phrase = (
        "legal winner thank year wave sausage worth useful legal winner thank yellow"
    )
    with pytest.raises(SecretFound):
        services.article_vote(
            article=article, voter="v", is_helpful=False, reason="other", comment=phrase
        )
    assert ArticleVote.objects.count() == 0


@pytest.mark.django_db
def test_buffered_views_reach_the_shared_count_together(
    article, settings, django_assert_num_queries
):
    other = make_article(category=article.category)
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 5
    settings.HELPCENTER_VIEW_BUFFER_MS = 60_000
    with django_assert_num_queries(0):
        for _ in range(7):
            services.article_record_view(article_id=article.pk)
        services.article_record_view(article_id=other.pk)
    # Held by this process: nothing shared yet, nothing in the database.
    assert cache.get(services.VIEW_KEY.format(article.pk)) is None
    assert services.article_send_buffered_views() == 8
    # The batch of 7 crossed one multiple of 5: five views moved at once.
    assert Article.objects.get(pk=article.pk).view_count == 5
    assert cache.get(services.VIEW_KEY.format(article.pk)) == 2
    assert cache.get(services.VIEW_KEY.format(other.pk)) == 1
    assert services.article_send_buffered_views() == 0
    assert services.article_flush_view_counts() == 3
    assert Article.objects.get(pk=article.pk).view_count == 7


@pytest.mark.django_db
def test_buffered_views_are_sent_after_the_delay_without_another_view(
    article, settings
):
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 1000
    settings.HELPCENTER_VIEW_BUFFER_MS = 20
    for _ in range(3):
        services.article_record_view(article_id=article.pk)
    timer = services._views_timer
    timer.join(timeout=10)
    assert not timer.is_alive()
    assert cache.get(services.VIEW_KEY.format(article.pk)) == 3


@pytest.mark.django_db
def test_a_stopping_gunicorn_worker_sends_its_views(article, settings):
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 1000
    settings.HELPCENTER_VIEW_BUFFER_MS = 60_000
    services.article_record_view(article_id=article.pk)
    config = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    config["worker_exit"](None, None)
    assert cache.get(services.VIEW_KEY.format(article.pk)) == 1
