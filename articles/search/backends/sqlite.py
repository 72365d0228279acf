"""SQLite search backend: an FTS5 external-content table ranked with bm25().

The FTS5 table ``articles_searchdocument_fts`` indexes the analyzed columns
of ``articles_searchdocument`` and is kept in step with it by triggers, so
writes here only touch the document table. Queries are FTS5 expressions in
which every token is a quoted string literal.
"""

from collections import Counter

from django.db import connection

from articles.search.backends.base import DocumentSearchBackend, IndexedDocument

FTS_TABLE = "articles_searchdocument_fts"
HEAD_COLUMNS = "{title tags summary}"
# bm25() weights for the columns title, tags, summary, body.
COLUMN_WEIGHTS = (10.0, 5.0, 3.0, 1.0)


def quote(token: str) -> str:
    """Return ``token`` as an FTS5 string literal (double quotes doubled)."""
    return '"' + token.replace('"', '""') + '"'


# CROSS JOIN fixes the join order in SQLite: walk the FTS5 matches and look
# each article up by id, never scan articles and probe FTS5. The lookup goes
# to a narrow rowid table holding the visibility columns (migration 0005),
# aliased as articles_article so the WHERE clause compiled from
# Article.objects.published() applies unchanged; the article rows, whose
# visibility columns sit behind the body, are never read.
VISIBILITY_TABLE = "articles_search_visibility"
VISIBILITY_JOIN = (
    f"CROSS JOIN {VISIBILITY_TABLE} AS articles_article "
    f"ON articles_article.id = {FTS_TABLE}.rowid"
)


class SQLiteSearchBackend(DocumentSearchBackend):
    """Search over FTS5; see the module docstring."""

    vendor = "sqlite"

    def render_query(self, terms, mode, language=None):
        """Return an FTS5 expression: quoted tokens, grouped with AND/OR.

        The OR fallback only searches the title, tags and summary (see
        ``DocumentSearchBackend``).
        """
        rendered = []
        for term in terms:
            alternatives = [
                "(" + " AND ".join(quote(token) for token in alternative) + ")"
                for alternative in term.alternatives
            ]
            rendered.append("(" + " OR ".join(alternatives) + ")")
        if mode == "and":
            return " AND ".join(rendered)
        return f"{HEAD_COLUMNS} : (" + " OR ".join(rendered) + ")"

    def count_by_category(self, match, where, params):
        """Return {category_id: matches} among visible rows.

        GROUP BY would sort every match (a third of this query's time on a
        common word at 100,000 articles); the category ids are gathered in
        one string and counted here instead (category is never NULL).
        """
        sql = (
            f"SELECT group_concat(articles_article.category_id) FROM {FTS_TABLE} "
            f"{VISIBILITY_JOIN} "
            f"WHERE {FTS_TABLE} MATCH %s AND {where}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *params])
            (categories,) = cursor.fetchone()
        if not categories:
            return {}
        counts = Counter(categories.split(","))
        # Ascending ids, the order GROUP BY gave.
        return dict(sorted((int(category_id), n) for category_id, n in counts.items()))

    def rank_page(self, match, where, params, total, limit, offset):
        """Return one ranked page, ranking title/tags/summary hits first.

        bm25() must score every row it orders, so ranking all matches of a
        common word costs ~1.5 µs per match. The page is instead taken from
        the matches in the title, tags or summary (few, and the ones the
        column weights put first anyway); body-only matches are ranked only
        when those run out before the page is full.
        """
        if match.startswith(HEAD_COLUMNS):
            return self.fetch(match, where, params, limit, offset)
        head_match = f"{HEAD_COLUMNS} : ({match})"
        head = self.fetch(head_match, where, params, offset + limit, 0)
        page = head[offset:]
        # Body-only matches exist only if the head ones fall short of total.
        if len(head) < offset + limit and len(head) < total:
            body_only = f"({match}) NOT ({head_match})"
            page += self.fetch(
                body_only, where, params, limit - len(page), max(0, offset - len(head))
            )
        return page

    def fetch(self, match, where, params, limit, offset):
        """Return [(article_id, score)], best first (score = -bm25)."""
        weights = ", ".join(str(weight) for weight in COLUMN_WEIGHTS)
        sql = (
            f"SELECT articles_article.id, bm25({FTS_TABLE}, {weights}) AS rank "
            f"FROM {FTS_TABLE} "
            f"{VISIBILITY_JOIN} "
            f"WHERE {FTS_TABLE} MATCH %s AND {where} "
            "ORDER BY rank, articles_article.id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *params, limit, offset])
            return [(pk, -rank) for pk, rank in cursor.fetchall()]

    def write_documents(self, documents: list[IndexedDocument]) -> None:
        """Replace the document rows; the triggers update the FTS5 table."""
        from articles.search.models import SearchDocument

        SearchDocument.objects.filter(
            article_id__in=[document.article_id for document in documents]
        ).delete()
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    article_id=document.article_id,
                    title=" ".join(document.title),
                    tags=" ".join(document.tags),
                    summary=" ".join(document.summary),
                    body=" ".join(document.body),
                )
                for document in documents
            ]
        )


def has_fts5() -> bool:
    """Return whether this SQLite build has FTS5."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return "ENABLE_FTS5" in {row[0] for row in cursor.fetchall()}
