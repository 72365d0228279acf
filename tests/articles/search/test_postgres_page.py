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
