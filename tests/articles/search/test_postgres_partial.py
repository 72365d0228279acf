"""PostgreSQL partial mode: a page is first looked for among the articles
having the question's rare words, and every page is the oracle's whether
that proves the page or every match has to be scored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.search.backends.postgres import PostgresSearchBackend
from articles.search.backends.reference import ReferenceSearchBackend
from tests.factories import make_article, make_category

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL backend's own statements",
)

QUESTION = "wallet zebra"


@pytest.fixture
def articles(db):
    category, other = make_category(), make_category()
    # "wallet" is in most articles, "zebra" in two, none has both.
    made = [
        make_article(
            category=other if number % 2 else category,
            language="en",
            title=f"Wallet note {number}",
            body="Keep the wallet safe." if number % 3 else "Nothing else.",
        )
        for number in range(8)
    ]
    made += [
        make_article(category=category, language="en", title="Zebra", body="Stripes."),
        make_article(category=other, language="en", title="Cards", body="A zebra."),
    ]
    return category, made


def coverage_statements(queries):
    return [q["sql"] for q in queries if "sum(weight)" in q["sql"]]


@pytest.fixture
def postgres():
    engine = PostgresSearchBackend()
    # At this size every word is in a large share of the articles.
    engine.prune_share = 1.0
    return engine


def test_partial_page_among_rare_words_is_the_oracles_page(articles, postgres):
    expected = ReferenceSearchBackend().search(
        QUESTION, language="en", use_correction=False
    )
    assert expected.mode == "partial" and expected.total == 10
    with CaptureQueriesContext(connection) as queries:
        result = postgres.search(QUESTION, language="en", use_correction=False)
    assert [hit.article_id for hit in result.hits] == [
        hit.article_id for hit in expected.hits
    ]
    assert (result.total, result.facets) == (expected.total, expected.facets)
    # The first page holds wallet articles too: the rare words cannot prove
    # it, so every match is scored after the narrowed attempt.
    assert [("narrowed)" in sql) for sql in coverage_statements(queries)] == [
        True,
        False,
    ]


def test_partial_pages_are_the_oracles_with_or_without_narrowing(articles, postgres):
    expected = ReferenceSearchBackend().search(
        QUESTION, language="en", use_correction=False
    )
    scored = []
    for offset in range(expected.total):
        with CaptureQueriesContext(connection) as queries:
            page = postgres.search(
                QUESTION, language="en", limit=1, offset=offset, use_correction=False
            )
        assert [hit.article_id for hit in page.hits] == [
            expected.hits[offset].article_id
        ]
        scored.append(len(coverage_statements(queries)))
    # The two zebra articles come first and are proved by the narrowed
    # statement alone; each later page needs every match scored.
    assert scored == [1, 1] + [2] * (expected.total - 2)


def test_partial_page_in_a_category_is_the_oracles(articles, postgres):
    category, _made = articles
    expected = ReferenceSearchBackend().search(
        QUESTION, language="en", category=category, use_correction=False
    )
    result = postgres.search(
        QUESTION, language="en", category=category, use_correction=False
    )
    assert expected.hits and [hit.article_id for hit in result.hits] == [
        hit.article_id for hit in expected.hits
    ]
