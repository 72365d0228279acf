"""Request and response schemas of the articles endpoints of ``/api/v1/``."""

import datetime

from ninja import Field, Schema


class CategoryOut(Schema):
    slug: str
    name: str
    description: str
    icon: str
    article_count: int
    url: str


class ArticleItem(Schema):
    slug: str
    language: str
    title: str
    summary: str
    category: str
    url: str
    published_at: datetime.datetime
    updated_at: datetime.datetime


class ArticlePage(Schema):
    results: list[ArticleItem]
    page: int
    has_next: bool


class CategoryRef(Schema):
    slug: str
    name: str


class TagOut(Schema):
    slug: str
    name: str


class TranslationOut(Schema):
    language: str
    slug: str
    url: str


class ArticleOut(Schema):
    slug: str
    language: str
    title: str
    summary: str
    body_html: str
    toc_html: str
    category: CategoryRef
    tags: list[TagOut]
    translations: list[TranslationOut]
    is_fallback: bool
    url: str
    published_at: datetime.datetime
    updated_at: datetime.datetime


class SearchIn(Schema):
    # Plain strings: SearchForm, shared with the results page and
    # /api/search, judges the values.
    q: str = Field("", description="What to search for")
    lang: str = Field(
        "", description="zh-hans, en or all; the request's language by default"
    )
    category: str = Field("", description="A category slug to search in")
    limit: str = Field("", description="How many results, 1 to 20 (8 by default)")


class SearchHit(Schema):
    slug: str
    title: str
    url: str
    snippet: str
    category: str
    language: str
    open_url: str
    has_every_word: bool = Field(
        description="False when the article matches only part of the query "
        "(listed after those that have every word)"
    )


class SearchOut(Schema):
    query: str
    corrected_query: str | None
    total: int
    results: list[SearchHit]


class VoteIn(Schema):
    # Plain strings: VoteForm, the page's own form, judges the values.
    helpful: str = Field("", description='"yes" or "no"')
    reason: str = Field(
        "", description='With "no": outdated, unclear, not_solved or other'
    )
    comment: str = Field("", description='Up to 500 characters; required with "other"')


class VoteOut(Schema):
    helpful: bool
    reason: str
    comment: str
