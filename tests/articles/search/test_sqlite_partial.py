"""SQLite partial mode: the coverage is summed once per search (the count
fills a temporary table the page reads), and the pages are the oracle's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.search import query as query_module
from articles.search.backends.reference import ReferenceSearchBackend
from articles.search.backends.sqlite import SCORED_TABLE, SQLiteSearchBackend
from tests.factories import make_article, make_category

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backend's own statements"
)

QUESTION = "wallet backup fees crash zebra"


@pytest.fixture
def articles(db):
    category, other = make_category(), make_category()
    made = []
    for number, (title, body) in enumerate(
        [
            ("Wallet backup", "Fees are low."),
            ("Wallet fees", "Nothing else."),
            ("Backup phrase", "Write it down."),
            ("App crash", "Reinstall the wallet."),
            ("Fees table", "A crash of prices."),
            ("Cards", "Nothing here."),
        ]
    ):
        made.append(
            make_article(
                category=other if number % 2 else category,
                language="en",
                title=title,
                body=body,
            )
        )
    return category, made


def coverage_statements(queries):
    return [q["sql"] for q in queries if f"INSERT INTO {SCORED_TABLE}" in q["sql"]]


def test_partial_search_sums_coverage_once_and_pages_like_the_oracle(articles):
    sqlite, reference = SQLiteSearchBackend(), ReferenceSearchBackend()
    expected = reference.search(QUESTION, language="en", use_correction=False)
    assert expected.mode == "partial" and expected.total == 5
    with CaptureQueriesContext(connection) as queries:
        result = sqlite.search(QUESTION, language="en", use_correction=False)
    assert len(coverage_statements(queries.captured_queries)) == 1
    assert [hit.article_id for hit in result.hits] == [
        hit.article_id for hit in expected.hits
    ]
    assert (result.total, result.facets) == (expected.total, expected.facets)
    # Page by page (the boundary score cuts where bm25() is summed).
    for offset in range(5):
        page = sqlite.search(
            QUESTION, language="en", limit=1, offset=offset, use_correction=False
        )
        assert [hit.article_id for hit in page.hits] == [
            expected.hits[offset].article_id
        ]


def test_rank_rescores_when_the_table_holds_another_match(articles):
    category, _made = articles
    sqlite, reference = SQLiteSearchBackend(), ReferenceSearchBackend()
    compiled = query_module.compile_query(QUESTION, language="en", use_correction=False)
    whole = sqlite._weighted(compiled, list(compiled.terms))
    in_category = query_module.compile_query(
        QUESTION, language="en", category_id=category.pk, use_correction=False
    )
    narrowed = reference._weighted(in_category, list(in_category.terms))
    sqlite.count(whole)
    other = sqlite._weighted(
        compiled, [term for term in compiled.terms if "crash" in term.tokens]
    )
    sqlite.count(other)  # the table now holds another match
    assert sqlite.rank(narrowed, limit=10, offset=0, total=5) == reference.rank(
        narrowed, limit=10, offset=0, total=5
    )
    assert sqlite.rank(whole, limit=10, offset=0, total=5) == reference.rank(
        whole, limit=10, offset=0, total=5
    )
