"""Plain helpers that create rows with sensible defaults."""

import itertools
from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Category

_counter = itertools.count(1)


def make_category(**overrides) -> Category:
    number = next(_counter)
    values = {
        "slug": f"category-{number}",
        "name_zh_hans": f"分类{number}",
        "name_en": f"Category {number}",
    }
    values.update(overrides)
    return Category.objects.create(**values)


def make_article(*, tags=(), **overrides) -> Article:
    number = next(_counter)
    if "category" not in overrides:
        overrides["category"] = make_category()
    values = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "language": "zh-hans",
        "summary": f"Summary {number}",
        "body": f"Body of article {number}.",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=1),
    }
    values.update(overrides)
    article = Article.objects.create(**values)
    if tags:
        article.tags.add(*tags)
    return article


def make_topic(**overrides):
    from channels.tickets.models import Topic

    number = next(_counter)
    values = {
        "slug": f"topic-{number}",
        "name_zh_hans": f"主题{number}",
        "name_en": f"Topic {number}",
        "kind": Topic.Kind.GENERAL,
    }
    values.update(overrides)
    return Topic.objects.create(**values)
