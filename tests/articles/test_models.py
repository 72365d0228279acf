from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article


@pytest.mark.django_db
def test_published_includes_published_and_due_article(article):
    assert list(Article.objects.published()) == [article]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "offset"),
    [
        ("draft", timedelta(hours=-1)),
        ("archived", timedelta(hours=-1)),
        ("published", timedelta(hours=1)),
    ],
)
def test_published_excludes_draft_archived_and_scheduled(category, status, offset):
    make_article(category=category, status=status, published_at=timezone.now() + offset)
    assert Article.objects.published().count() == 0


@pytest.mark.django_db
def test_scheduled_article_becomes_visible_when_its_time_comes(category, monkeypatch):
    start = timezone.now()
    scheduled = make_article(
        category=category, published_at=start + timedelta(minutes=10)
    )
    assert not Article.objects.published().filter(pk=scheduled.pk).exists()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=11))
    assert Article.objects.published().filter(pk=scheduled.pk).exists()
    assert Article.objects.get(pk=scheduled.pk).is_published


@pytest.mark.django_db
def test_publishing_without_time_sets_publish_time_to_now(category):
    article = make_article(category=category, status="draft", published_at=None)
    assert article.published_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.published_at is not None
    assert article.published_at <= timezone.now()


@pytest.mark.django_db
def test_body_html_is_rendered_on_save(category):
    article = make_article(
        category=category, body="## 标题\n\n**粗体** <script>x</script>"
    )
    stored = Article.objects.get(pk=article.pk)
    assert '<h2 id="标题">标题</h2>' in stored.body_html
    assert "<strong>粗体</strong>" in stored.body_html
    assert "<script>" not in stored.body_html


@pytest.mark.django_db
def test_same_slug_allowed_in_each_language_but_not_twice_in_one(category):
    make_article(category=category, slug="reset", language="zh-hans")
    make_article(category=category, slug="reset", language="en")
    with pytest.raises(IntegrityError):
        make_article(category=category, slug="reset", language="en")


@pytest.mark.django_db
def test_absolute_url_uses_the_article_language(category):
    article = make_article(category=category, slug="fees", language="en")
    assert article.get_absolute_url() == "/en/articles/fees/"


@pytest.mark.django_db
def test_edit_is_recorded_in_history_with_user(article, staff_user):
    article.title = "新标题"
    article._history_user = staff_user
    article.save()
    latest = article.history.first()
    assert latest.title == "新标题"
    assert latest.history_user == staff_user
    assert article.history.count() == 2
