"""PostgreSQL search backend: per-language lexemes, GIN indexes, ts_rank.

The analyzer has already produced the lexemes, so the vectors and queries
are built as tsvector/tsquery literals and cast, not parsed with a text
search configuration: a parser would be at best a no-op ('simple') and at
worst split Chinese bigrams differently depending on the server's locale.

Each index row holds three vectors:

- ``search_vector``: every token, each prefixed with the article's language
  ("zh-hans:转账"), no positions; GIN-indexed, it decides what matches, and
  a query reads only its language's posting lists;
- ``head_vector``: the same for the title, tags and summary (the head tier
  and the OR fallback), GIN-indexed;
- ``rank_vector``: plain lexemes of the title (weight A), tags (B), summary
  (C) and the body's first tokens (D), with positions; what is scored, by
  ``ts_rank`` with the weights D 0.1, C 0.3, B 0.5, A 1.0 (``ts_rank_cd``
  was measured 6x slower per row and put the same articles on top).

Each row also holds the article's status, publish time and category
(migration 0004), so counting, facets and the visibility rule never join
the article table; long values live in the TOAST table (migration 0007), so
a bitmap scan over 55,000 matches visits a narrow heap. The SQL functions
``articles_search_facets`` and ``articles_search_page`` run the two
statements.
"""

from django.db import connection
from django.utils import timezone

from articles.models import Language
from articles.search import query as query_module
from articles.search.backends.base import (
    HEAD_FACTOR,
    RANK_BODY_TOKENS,
    RANK_CANDIDATES,
    DocumentSearchBackend,
    IndexedDocument,
)

# PostgreSQL keeps at most 256 positions per lexeme and positions up to 16383.
MAX_POSITIONS = 256
MAX_POSITION = 16383
# "zh-hans:转账": the analyzer never emits ":", so no token can collide.
LANGUAGE_PREFIX = "{}:"


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


def match_literal(tokens, language: str) -> str:
    """Return the distinct tokens as a positionless tsvector literal."""
    prefix = LANGUAGE_PREFIX.format(language)
    return " ".join(quote(prefix + token) for token in dict.fromkeys(tokens))


class PostgresSearchBackend(DocumentSearchBackend):
    """Search over GIN-indexed tsvectors; see the module docstring."""

    vendor = "postgresql"

    def render_query(self, terms, mode, language=None):
        """Return (match, rank, typed, head_only): tsquery literals, tier flag.

        ``match`` uses the lexemes of ``language`` (of every language when
        None). ``rank`` is the flat OR of the plain tokens, for ts_rank on
        rank_vector: ts_rank on nested & and | costs ~100x more per row and
        ranks the same documents first. ``typed`` is the terms as typed, in
        plain lexemes (None when no synonym was added): candidates whose
        rank_vector matches it rank first. The OR
        fallback (``head_only``) matches head_vector only, see
        DocumentSearchBackend.
        """
        languages = [language] if language else [code for code, _ in Language.choices]

        def lexeme(token, suffix=""):
            options = [
                quote(LANGUAGE_PREFIX.format(code) + token) + suffix
                for code in languages
            ]
            return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"

        def prefix_lexeme(token):
            # 'zh-hans:转':* matches 'zh-hans:转账'.
            return lexeme(token, ":*")

        rendered = [
            query_module.render(
                term.expression(),
                token=prefix_lexeme if term.prefix else lexeme,
                conjunction=" & ",
                disjunction=" | ",
            )
            for term in terms
        ]
        joiner = " & " if mode == "and" else " | "
        match = joiner.join(rendered)
        typed = None
        if any(term.typed for term in terms):
            # Plain lexemes: it is tested against rank_vector.
            typed = joiner.join(
                "("
                + " & ".join(
                    quote(token) + (":*" if term.prefix else "")
                    for token in term.literal
                )
                + ")"
                for term in terms
            )
        tokens = sorted(
            {
                quote(token) + (":*" if term.prefix else "")
                for term in terms
                for token in term.tokens
            }
        )
        rank = " | ".join(tokens)
        return match, rank, typed, mode != "and"

    def match_page(self, match, *, language, category, limit, offset, state):
        """Return (facets, ranked page) from the SQL functions of migration 0007.

        Both read only ``articles_searchdocument``, through its GIN indexes
        and the status, publish time and category copied there. The same
        rule as Article.objects.published() is applied to the copied
        columns, with the status value and the current time passed from
        here, so a scheduled article is found from its publish time on.
        """
        from articles.models import Article

        match_query, rank_query, typed_query, head_only = match
        visibility = [Article.Status.PUBLISHED, timezone.now()]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT category_id, matches FROM articles_search_facets("
                "%s::tsquery, %s, %s, %s)",
                [match_query, head_only, *visibility],
            )
            facets = {key: int(value) for key, value in sorted(cursor.fetchall())}
        total = sum(facets.values()) if category is None else facets.get(category, 0)

        def fetch(tier, size, skip):
            head = tier != self.BODY
            exclude = match_query if tier == self.BODY else None
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT article_id, rank FROM articles_search_page(%s::tsquery, %s, "
                    "%s::tsquery, %s::tsquery, %s::tsquery, %s, %s, %s, %s, %s, %s)",
                    [
                        match_query,
                        head,
                        rank_query,
                        exclude,
                        typed_query,
                        *visibility,
                        category,
                        RANK_CANDIDATES,
                        size,
                        skip,
                    ],
                )
                return [(pk, float(rank)) for pk, rank in cursor.fetchall()]

        ranked = self.rank_tiers(
            fetch, head_only=head_only, total=total, limit=limit, offset=offset
        )
        return facets, ranked

    def cover_page(self, weighted, *, language, category, limit, offset, state):
        """Return (facets, ranked page) of the partial mode: each term's
        matches through the GIN indexes, weights summed per article, with
        the visibility rule of ``match_page``."""
        from articles.models import Article

        visible = "status = %s AND published_at <= %s"
        visibility = [Article.Status.PUBLISHED, timezone.now()]
        parts, params = [], []
        for term, weight in weighted:
            match = self.render_query([term], "and", language)[0]
            for column, points in (
                ("search_vector", weight),
                ("head_vector", weight * (HEAD_FACTOR - 1)),
            ):
                parts.append(
                    f"SELECT article_id, category_id, {int(points)} AS weight "
                    f"FROM articles_searchdocument WHERE {column} @@ %s::tsquery "
                    f"AND {visible}"
                )
                params += [match, *visibility]
        scored = (
            "WITH scored AS (SELECT article_id, category_id, sum(weight) AS score "
            "FROM (" + " UNION ALL ".join(parts) + ") AS hits "
            "GROUP BY article_id, category_id) "
        )
        with connection.cursor() as cursor:
            cursor.execute(
                scored + "SELECT category_id, count(*) FROM scored GROUP BY 1", params
            )
            facets = {
                key: int(value) for key, value in sorted(cursor.fetchall()) if value
            }
            total = sum(facets.values()) if category is None else facets.get(category, 0)
            if not total or limit <= 0 or offset >= total:
                return facets, []
            where = "" if category is None else "WHERE category_id = %s"
            cursor.execute(
                scored + f"SELECT article_id, score FROM scored {where} "
                "ORDER BY score DESC, article_id LIMIT %s OFFSET %s",
                [*params, *([category] if category is not None else []), limit, offset],
            )
            ranked = [(pk, float(score)) for pk, score in cursor.fetchall()]
        return facets, ranked

    def optimize(self) -> None:
        """Refresh the planner's statistics of the index table."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_searchdocument")

    def write_documents(self, documents: list[IndexedDocument]) -> None:
        """Insert or replace the document rows: vectors, status, publish time, category.

        The receivers re-index on every save, so the copied columns follow
        publish, unpublish, archive and category changes; a trigger from
        migration 0004 also copies them on updates that bypass the model.
        """
        rows = []
        for document in documents:
            head = [*document.title, *document.tags, *document.summary]
            rank_fields = [
                (document.title, "A"),
                (document.tags, "B"),
                (document.summary, "C"),
                (document.body[:RANK_BODY_TOKENS], "D"),
            ]
            rows.append(
                (
                    document.article_id,
                    " ".join(document.title),
                    " ".join(document.tags),
                    " ".join(document.summary),
                    " ".join(document.body),
                    match_literal([*head, *document.body], document.language),
                    vector_literal(rank_fields),
                    match_literal(head, document.language),
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
