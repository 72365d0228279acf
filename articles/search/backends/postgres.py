"""PostgreSQL search backend: weighted tsvector, GIN index, ts_rank.

The analyzer has already produced the lexemes, so the vectors and queries
are built as tsvector/tsquery literals and cast, not parsed with a text
search configuration: a parser would be at best a no-op ('simple') and at
worst split Chinese bigrams differently depending on the server's locale.
Weights: title A, tags B, summary C, body D.

``search_vector`` (every token, GIN-indexed) decides what matches;
``rank_vector`` (title, tags, summary and the body's first tokens) is what
is scored, because ranking the full vector de-TOASTs every matching body.
Ranking uses ``ts_rank`` with the weights D 0.1, C 0.3, B 0.5, A 1.0:
``ts_rank_cd`` was measured 6x slower per row (its cover search grows with
the number of query lexemes) and put the same articles on top. Both run in
the ``articles_search_match`` SQL function created by migration 0002.
"""

from django.db import connection

from articles.search.backends.base import (
    RANK_BODY_TOKENS,
    DocumentSearchBackend,
    IndexedDocument,
)

# PostgreSQL keeps at most 256 positions per lexeme and positions up to 16383.
MAX_POSITIONS = 256
MAX_POSITION = 16383
# The article's language as a lexeme of search_vector, so the GIN index
# narrows by language too. The analyzer never emits "~" or ":", so no word
# can collide with it.
LANGUAGE_LEXEME = "~lang:{}"
# Present in every head_vector, so a query that requires it can only match
# head_vector; articles_search_match tests it to choose the vector.
HEAD_ONLY = "~head"


def quote(token: str) -> str:
    """Return ``token`` as a quoted tsvector/tsquery lexeme."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(fields: list[tuple[list[str], str]]) -> str:
    """Return a tsvector literal for (tokens, weight) fields, in order."""
    positions: dict[str, list[str]] = {}
    position = 0
    for tokens, weight in fields:
        for token in tokens:
            position += 1
            entry = positions.setdefault(token, [])
            if len(entry) < MAX_POSITIONS:
                entry.append(f"{min(position, MAX_POSITION)}{weight}")
    return " ".join(
        quote(token) + ":" + ",".join(entry) for token, entry in positions.items()
    )


class PostgresSearchBackend(DocumentSearchBackend):
    """Search over a GIN-indexed tsvector; see the module docstring."""

    vendor = "postgresql"

    def render_query(self, terms, mode, language=None):
        """Return (match, rank) tsquery literals: quoted lexemes, & and |.

        ``match`` also requires the language lexeme when ``language`` is
        given. ``rank`` is always the OR of the terms, so ts_rank_cd on the
        compact rank vector gives partial credit instead of 0 whenever one
        term sits only deep in the body.
        """
        rendered = []
        for term in terms:
            alternatives = [
                "(" + " & ".join(quote(token) for token in alternative) + ")"
                for alternative in term.alternatives
            ]
            rendered.append("(" + " | ".join(alternatives) + ")")
        match = (" & " if mode == "and" else " | ").join(rendered)
        if mode != "and":
            # OR fallback: head_vector (title, tags, summary) is matched, see
            # DocumentSearchBackend. The marker lexeme tells the SQL function.
            match = f"({match}) & {quote(HEAD_ONLY)}"
        if language:
            match = f"({match}) & {quote(LANGUAGE_LEXEME.format(language))}"
        # A flat OR of the distinct lexemes: ts_rank_cd on nested & and |
        # costs ~100x more per row and ranks the same documents first.
        tokens = sorted({token for term in terms for token in term.tokens})
        return match, " | ".join(quote(token) for token in tokens)

    def match_page(self, match, where, params, *, category, limit, offset):
        """Return (facets, ranked hits) from one statement.

        The matching rows are gathered once (through the GIN index, by the
        ``articles_search_match`` function of migration 0002, then the
        visibility rule); the facet counts and the ranked page both read that
        set, and the page is a bounded top-N sort.
        """
        match_query, rank_query = match
        page_filter = "WHERE category_id = %s" if category is not None else ""
        sql = (
            "WITH hits AS MATERIALIZED ("
            " SELECT d.article_id, articles_article.category_id, d.rank"
            " FROM articles_search_match(%s::tsquery, %s::tsquery) d"
            " JOIN articles_article ON articles_article.id = d.article_id"
            f" WHERE {where}"
            "), page AS ("
            f" SELECT article_id, rank FROM hits {page_filter}"
            " ORDER BY rank DESC, article_id LIMIT %s OFFSET %s"
            ") "
            "SELECT 0, category_id, COUNT(*)::float8 FROM hits GROUP BY category_id "
            "UNION ALL SELECT 1, article_id, rank FROM page"
        )
        page_params = [category] if category is not None else []
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [match_query, rank_query, *params, *page_params, max(limit, 0), offset],
            )
            rows = cursor.fetchall()
        facets = {key: int(value) for kind, key, value in rows if kind == 0}
        ranked = sorted(
            ((key, float(value)) for kind, key, value in rows if kind == 1),
            key=lambda hit: (-hit[1], hit[0]),
        )
        return facets, ranked

    def write_documents(self, documents: list[IndexedDocument]) -> None:
        """Insert or replace the document rows with both vectors."""
        rows = []
        for document in documents:
            fields = [
                (document.title, "A"),
                (document.tags, "B"),
                (document.summary, "C"),
            ]
            language = quote(LANGUAGE_LEXEME.format(document.language))
            rows.append(
                (
                    document.article_id,
                    " ".join(document.title),
                    " ".join(document.tags),
                    " ".join(document.summary),
                    " ".join(document.body),
                    vector_literal([*fields, (document.body, "D")]) + " " + language,
                    vector_literal([*fields, (document.body[:RANK_BODY_TOKENS], "D")]),
                    f"{vector_literal(fields)} {language} {quote(HEAD_ONLY)}",
                )
            )
        sql = (
            "INSERT INTO articles_searchdocument "
            "(article_id, title, tags, summary, body, search_vector, rank_vector, "
            "head_vector) "
            "VALUES (%s, %s, %s, %s, %s, %s::tsvector, %s::tsvector, %s::tsvector) "
            "ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, "
            "tags = EXCLUDED.tags, summary = EXCLUDED.summary, body = EXCLUDED.body, "
            "search_vector = EXCLUDED.search_vector, rank_vector = EXCLUDED.rank_vector, "
            "head_vector = EXCLUDED.head_vector"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
