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
the number of query lexemes) and put the same articles on top.

Each index row also holds the article's status, publish time and category
(migration 0004), so counting, facets and the visibility rule never join
the article table; the SQL functions ``articles_search_facets`` and
``articles_search_page`` of that migration run the two statements.
"""

from django.db import connection
from django.utils import timezone

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
        """Return (facets, ranked page), ranking title/tags/summary hits first.

        Both read only ``articles_searchdocument``, through its GIN indexes
        and the status, publish time and category copied there (migration
        0004), by the ``articles_search_facets`` and ``articles_search_page``
        SQL functions. The facets count every match without ranking it; the
        page is taken from the matches in the title, tags or summary (few,
        and the ones the weights put first anyway), and body-only matches
        are ranked only when those run out before the page is full, as on
        SQLite. Ranking every match of a common word, and joining each to
        the article table, was measured at ~6 µs per match.

        ``where``/``params`` (the visibility clause over the article table)
        are not used: the same rule, Article.objects.published(), is applied
        to the copied columns with the status value and the current time
        passed from here, so a scheduled article is found from its publish
        time on.
        """
        from articles.models import Article

        match_query, rank_query = match
        visibility = [Article.Status.PUBLISHED, timezone.now()]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT category_id, matches FROM articles_search_facets("
                "%s::tsquery, %s, %s)",
                [match_query, *visibility],
            )
            facets = {key: int(value) for key, value in cursor.fetchall()}
        total = sum(facets.values()) if category is None else facets.get(category, 0)
        if total == 0 or limit <= 0 or offset >= total:
            return facets, []

        def page(query, exclude, size, skip):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT article_id, rank FROM articles_search_page("
                    "%s::tsquery, %s::tsquery, %s::tsquery, %s, %s, %s, %s, %s)",
                    [query, rank_query, exclude, *visibility, category, size, skip],
                )
                return [(pk, float(rank)) for pk, rank in cursor.fetchall()]

        head_only = quote(HEAD_ONLY)
        if head_only in match_query:
            return facets, page(match_query, None, limit, offset)
        # The head tier: the same query required of head_vector, which holds
        # the title, tags and summary (and the language lexeme).
        head_match = f"({match_query}) & {head_only}"
        head = page(head_match, None, offset + limit, 0)
        ranked = head[offset:]
        # Body-only matches exist only if the head ones fall short of total.
        if len(head) < offset + limit and len(head) < total:
            ranked += page(
                match_query, head_match, limit - len(ranked), max(0, offset - len(head))
            )
        return facets, ranked

    def write_documents(self, documents: list[IndexedDocument]) -> None:
        """Insert or replace the document rows: vectors, status, publish time, category.

        The receivers re-index on every save, so the copied columns follow
        publish, unpublish, archive and category changes; a trigger from
        migration 0004 also copies them on updates that bypass the model.
        """
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
                    document.status,
                    document.published_at,
                    document.category_id,
                )
            )
        sql = (
            "INSERT INTO articles_searchdocument "
            "(article_id, title, tags, summary, body, search_vector, rank_vector, "
            "head_vector, status, published_at, category_id) "
            "VALUES (%s, %s, %s, %s, %s, %s::tsvector, %s::tsvector, %s::tsvector, "
            "%s, %s, %s) "
            "ON CONFLICT (article_id) DO UPDATE SET title = EXCLUDED.title, "
            "tags = EXCLUDED.tags, summary = EXCLUDED.summary, body = EXCLUDED.body, "
            "search_vector = EXCLUDED.search_vector, rank_vector = EXCLUDED.rank_vector, "
            "head_vector = EXCLUDED.head_vector, status = EXCLUDED.status, "
            "published_at = EXCLUDED.published_at, category_id = EXCLUDED.category_id"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
