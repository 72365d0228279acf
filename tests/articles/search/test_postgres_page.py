"""PostgreSQL pages: the slices of a results page are ranked in one
statement, and the other-language list is ranked without being counted;
every page is still the oracle's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.search.backends.postgres import PostgresSearchBackend
from articles.search.backends.reference import ReferenceSearchBackend
from tests.factories import make_article, make_category

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL backend's own statements",
)


def search_statements(queries, needle):
    return [
        q["sql"]
        for q in queries
        if "articles_search_rows" in q["sql"] and needle in q["sql"]
    ]


@pytest.fixture
def slices(db):
    """Each of the four slices of "transfer" (typed or synonym, head or
    body) holds two articles."""
    category = make_category()
    for number in range(2):
        make_article(category=category, language="en", title=f"Transfer {number}")
        make_article(category=category, language="en", body=f"Transfer it {number}.")
        make_article(category=category, language="en", title=f"Send {number}")
        make_article(category=category, language="en", body=f"Send it {number}.")
    return category


def test_every_page_of_the_slices_is_one_statement_and_the_oracles(slices):
    expected = ReferenceSearchBackend().search("transfer", language="en")
    assert expected.total == 8
    for offset in range(expected.total):
        with CaptureQueriesContext(connection) as queries:
            page = PostgresSearchBackend().search(
                "transfer", language="en", limit=3, offset=offset
            )
        assert [hit.article_id for hit in page.hits] == [
            hit.article_id for hit in expected.hits[offset : offset + 3]
        ]
        assert len(search_statements(queries, "ts_rank")) == 1


def test_results_page_ranks_the_other_language_without_counting(client, slices):
    make_article(category=slices, title="转账说明")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("articles:search"), {"q": "转账"})
    search = response.context["search"]
    assert search.result.total == 1 and len(search.untranslated) == 3
    # One count, in the page's own language; the English list is only ranked.
    counts = search_statements(queries, "GROUP BY 1")
    assert len(counts) == 1 and "zh-hans:" in counts[0]


def test_an_article_at_every_field_limit_is_saved_and_found(db):
    # rank_vector is included in a btree (migration 0015), whose entries
    # PostgreSQL caps at 2,704 bytes: a 200-character Chinese title, a
    # 300-character summary and 60 long tags come to ~8 kB unbounded.
    import random

    from articles.search.backends.postgres import RANK_VECTOR_BYTES

    rng = random.Random(1)

    def text(length):
        return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(length))

    title = text(200)
    article = make_article(
        category=make_category(), title=title, summary=text(300), body=text(3000)
    )
    article.tags.add(*[text(20) for _ in range(60)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(rank_vector) FROM articles_searchdocument "
            "WHERE article_id = %s",
            [article.pk],
        )
        assert cursor.fetchone()[0] <= RANK_VECTOR_BYTES
    result = PostgresSearchBackend().search(title[:6], language="zh-hans")
    assert article.pk in [hit.article_id for hit in result.hits]
