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

Each row also holds the article's status, publish time and category, so
counting, facets and the visibility rule never join the article table; long
values live in the TOAST table, so a bitmap scan over 55,000 matches visits a
narrow heap. The backend builds each statement here and runs it through
``articles_search_rows`` (migration 0010), which keeps the GIN plan.
"""

import math

from django.db import connection

from articles.models import Language
from articles.search import query as query_module
from articles.search.backends.base import (
    IndexedDocument,
    SearchBackend,
    visible_status,
)

# Analyzed body tokens kept in rank_vector (what ts_rank scores).
RANK_BODY_TOKENS = 60
# The visibility rule (base.visible_articles) on the copied columns, with
# the status value and the search's clock as parameters.
VISIBLE = "d.status = %s AND d.published_at <= %s"

# PostgreSQL keeps at most 256 positions per lexeme and positions up to 16383.
MAX_POSITIONS = 256
MAX_POSITION = 16383
# A tsvector's stored size: a header, then per lexeme an entry, its bytes
# (padded to 2), a position count and 2 bytes per position.
VECTOR_HEADER_BYTES = 8
POSITION_BYTES = 2
# rank_vector is also a btree's included column (migration 0015), whose
# entries PostgreSQL caps at 2,704 bytes: a longer vector could not be
# saved. A title, tags and summary at their longest, in Chinese, come to
# about 8 kB; the first 2,400 bytes (title first) are what is scored.
RANK_VECTOR_BYTES = 2400


def lexeme_bytes(token: str) -> int:
    """The stored size of one lexeme with one position."""
    length = len(token.encode())
    return 4 + length + length % 2 + 2 + POSITION_BYTES


# "zh-hans:转账": the analyzer never emits ":", so no token can collide.
LANGUAGE_PREFIX = "{}:"


def quote(token: str) -> str:
    """Return ``token`` as a quoted tsvector/tsquery lexeme."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(
    fields: list[tuple[list[str], str]], *, max_bytes: int | None = None
) -> str:
    """Return a tsvector literal for (tokens, weight) fields, in order.

    With ``max_bytes``, the vector stops growing before its stored size
    (``vector_bytes``) would pass it: the first fields are kept whole, the
    rest as far as they fit."""
    positions: dict[str, list[str]] = {}
    position = 0
    size = VECTOR_HEADER_BYTES
    for tokens, weight in fields:
        for token in tokens:
            position += 1
            entry = positions.get(token)
            grows = POSITION_BYTES if entry is not None else lexeme_bytes(token)
            if max_bytes is not None and size + grows > max_bytes:
                continue
            if entry is None:
                entry = positions[token] = []
            if len(entry) < MAX_POSITIONS:
                entry.append(f"{min(position, MAX_POSITION)}{weight}")
                size += grows
    return " ".join(
        quote(token) + ":" + ",".join(entry) for token, entry in positions.items()
    )


def match_literal(tokens, language: str) -> str:
    """Return the distinct tokens as a positionless tsvector literal."""
    prefix = LANGUAGE_PREFIX.format(language)
    return " ".join(quote(prefix + token) for token in dict.fromkeys(tokens))


def search_rows(sql: str, params: list) -> list[tuple[int, float]]:
    """Return the (key, value) rows of a search statement, run through
    ``articles_search_rows`` (migration 0010) so it keeps the GIN plan.

    The parameters are bound client-side by the driver's own quoting; the
    function only ever receives that finished statement.
    """
    statement = connection.ops.compose_sql(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, value FROM articles_search_rows(%s)",
            [f"SELECT k::bigint, v::double precision FROM ({statement}) AS r(k, v)"],
        )
        return cursor.fetchall()


class PostgresSearchBackend(SearchBackend):
    """Search over GIN-indexed tsvectors; see the module docstring."""

    vendor = "postgresql"
    # ts_rank weights of rank_vector's D, C, B, A (body, summary, tags, title).
    rank_weights = "{0.1, 0.3, 0.5, 1.0}"
    # A partial page is first looked for among the articles having the
    # query's rarer terms when they are at most this share of the
    # articles (see _rare_terms).
    prune_share = 0.1
    # rank() orders the most recent matches whatever the set's size.
    ranks_uncounted = True

    # --- rendering ------------------------------------------------------
    @staticmethod
    def render_terms(terms, language, joiner=" & ") -> str:
        """Return the terms as a tsquery of language-prefixed lexemes
        (of every language when ``language`` is None)."""
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

        return joiner.join(
            query_module.render(
                term.expression(),
                token=prefix_lexeme if term.prefix else lexeme,
                conjunction=" & ",
                disjunction=" | ",
            )
            for term in terms
        )

    @staticmethod
    def rank_query(match) -> str:
        """Return the flat OR of the plain tokens, for ts_rank on
        rank_vector: ts_rank on nested & and | costs ~100x more per row and
        ranks the same documents first."""
        terms = match.scored or match.terms
        prefixes = {token for term in terms if term.prefix for token in term.tokens}
        return " | ".join(
            sorted(
                quote(token) + (":*" if token in prefixes else "")
                for token in match.tokens
            )
        )

    def _filters(self, match, *, category: bool) -> tuple[str, list]:
        """Return (SQL conditions on ``d``, params) of a match's set: the
        vector it matches (every term, or any term of a partial match), the
        visibility rule, the excluded sets (each found through its GIN
        index and left out by id)."""
        joiner = " | " if match.is_partial else " & "
        expression = self.render_terms(match.terms, match.language, joiner)
        vector = "head_vector" if match.zone == "head" else "search_vector"
        conditions = [f"d.{vector} @@ %s::tsquery", VISIBLE]
        params: list = [expression, visible_status(), match.now]
        excluded = [
            ("search_vector", self.render_terms(group, match.language))
            for group in match.exclude
        ]
        if match.zone == "body":
            excluded.append(("head_vector", expression))
        for column, other in excluded:
            conditions.append(
                "d.article_id NOT IN (SELECT e.article_id FROM "
                f"articles_searchdocument e WHERE e.{column} @@ %s::tsquery)"
            )
            params.append(other)
        if category and match.category_id is not None:
            conditions.append("d.category_id = %s")
            params.append(match.category_id)
        return " AND ".join(conditions), params

    # --- hooks ----------------------------------------------------------
    def count(self, match) -> dict[int, int]:
        """Return the facets, read from the index rows alone (GIN, no join).

        A partial set is the articles having any of its terms: counting it
        needs no coverage, only the OR of the terms.
        """
        where, params = self._filters(match, category=False)
        sql = (
            "SELECT d.category_id, count(*) FROM articles_searchdocument d "
            f"WHERE {where} GROUP BY 1"
        )
        rows = sorted(search_rows(sql, params))
        return {key: int(value) for key, value in rows if value}

    def rank(self, match, *, limit, offset, total):
        """Return one page ranked by ts_rank over rank_vector.

        Of a set, the ``rank_candidates`` most recent matches are ranked;
        the matches are materialized so the planner cannot walk the primary
        key backwards and test every row's vector to find them. A partial
        set is ordered by coverage first (see ``_cover_scored``).
        """
        if limit <= 0:
            return []
        if match.is_partial:
            return self._cover_rank(match, limit, offset)
        return self._page([match], limit=limit, offset=offset, total=None)

    def _page(self, slices, *, limit, offset, total):
        """Return one page of the AND slices in one statement (see the
        shared ``_page``): each slice ranks up to the end of the page, and
        is ranked only while the earlier ones hold fewer rows than that and
        than ``total`` (a gate PostgreSQL evaluates once, before scanning).
        A partial slice (the fill) is paged by the shared walk.
        """
        if limit <= 0:
            return []
        if any(piece.is_partial for piece in slices):
            return super()._page(slices, limit=limit, offset=offset, total=total)
        end = offset + limit
        ctes, parts, params = [], [], []
        for number, piece in enumerate(slices, start=1):
            where, where_params = self._filters(piece, category=True)
            earlier = " + ".join(
                f"(SELECT count(*) FROM s{before})" for before in range(1, number)
            )
            if earlier:
                where = f"{earlier} < %s AND {where}"
                params.append(end if total is None else min(end, total))
            params += where_params
            ctes.append(
                f"m{number} AS MATERIALIZED (SELECT d.article_id FROM "
                f"articles_searchdocument d WHERE {where}), "
                f"s{number} AS MATERIALIZED (SELECT c.article_id, ts_rank("
                f"'{self.rank_weights}', c.vector, %s::tsquery) AS rank FROM "
                "(SELECT r.article_id, d.rank_vector AS vector FROM "
                f"(SELECT article_id FROM m{number} ORDER BY article_id DESC "
                "LIMIT %s) r JOIN articles_searchdocument d "
                "ON d.article_id = r.article_id OFFSET 0) c "
                "ORDER BY rank DESC, c.article_id LIMIT %s)"
            )
            params += [self.rank_query(piece), self.rank_candidates, end]
            parts.append(
                f"SELECT {number} AS slice, row_number() OVER "
                f"(ORDER BY rank DESC, article_id) AS position, article_id, rank "
                f"FROM s{number}"
            )
        sql = (
            "WITH "
            + ", ".join(ctes)
            + " SELECT article_id, rank FROM ("
            + " UNION ALL ".join(parts)
            + ") AS p ORDER BY slice, position LIMIT %s OFFSET %s"
        )
        params += [limit, offset]
        return search_rows(sql, params)

    # --- partial mode ---------------------------------------------------
    def _coverage_parts(self, match):
        """Yield (column, tsquery, points) for each term and zone: an
        article's coverage is the sum of the points of the parts its
        vectors match."""
        for term, weight in zip(match.terms, match.weights, strict=True):
            expression = self.render_terms([term], match.language)
            scored = [
                (
                    "search_vector",
                    expression,
                    self.coverage_factors(head=False, typed=not term.has_synonyms),
                ),
                ("head_vector", expression, self.head_factor),
            ]
            if term.has_synonyms:
                typed = self.render_terms([term.as_typed()], match.language)
                scored.append(("search_vector", typed, self.typed_factor))
            for column, tsquery, factor in scored:
                yield column, tsquery, int(weight * factor)

    def _cover_scored(self, match, among=()) -> tuple[str, list]:
        """Return (SQL, params) of the ``scored`` CTE: each visible article's
        coverage, summed over one GIN lookup per term and zone.

        With ``among`` (some of the terms), only the articles having one of
        them are scored: each lookup of the whole vector is ANDed with them
        in its tsquery, so a common term reads only its few articles that
        have a rare one; the head lookups, shorter, are kept whole and
        their other articles left out when grouping.
        """
        narrowed = self.render_terms(among, match.language, " | ") if among else ""
        parts, params = [], []
        for column, tsquery, points in self._coverage_parts(match):
            is_narrowed = bool(among) and column == "search_vector"
            parts.append(
                f"SELECT d.article_id, d.category_id, {points} AS weight, "
                f"{is_narrowed} AS narrowed FROM articles_searchdocument d "
                f"WHERE d.{column} @@ %s::tsquery AND {VISIBLE}"
            )
            tsquery = f"({tsquery}) & ({narrowed})" if is_narrowed else tsquery
            params += [tsquery, visible_status(), match.now]
        excluded = "".join(
            " AND article_id NOT IN (SELECT e.article_id FROM "
            "articles_searchdocument e WHERE e.search_vector @@ %s::tsquery)"
            for _group in match.exclude
        )
        sql = (
            "WITH scored AS (SELECT article_id, category_id, sum(weight) AS score "
            "FROM (" + " UNION ALL ".join(parts) + f") AS hits WHERE TRUE{excluded} "
            "GROUP BY article_id, category_id"
            + (" HAVING bool_or(narrowed)) " if among else ") ")
        )
        params += [self.render_terms(group, match.language) for group in match.exclude]
        return sql, params

    def _cover_rank(self, match, limit, offset):
        """Return a partial page: by coverage, ties by ts_rank, then id.

        Only the matches scoring at least the page's last coverage are
        ranked (the most recent ``rank_candidates`` of a larger tie).

        The page is first looked for among the articles having one of the
        rarer terms (see ``_rare_terms``). An article without any scores
        at most what the common terms add: when the page's last coverage is
        above that, no such article can be on the page nor among the
        candidates a tie keeps, so the page found is the page of every
        match. Otherwise that statement returns nothing (a page of a
        partial set is never empty) and every match is scored.
        """
        split = self._rare_terms(match)
        if split is not None:
            rows = self._cover_page(match, limit, offset, *split)
            if rows:
                return rows
        return self._cover_page(match, limit, offset, among=(), above=-1)

    def _cover_page(self, match, limit, offset, among, above):
        """Return the page of the articles having a term of ``among`` (all
        articles when empty), or [] unless the page's last coverage is
        above ``above``."""
        scored, params = self._cover_scored(match, among)
        where = ""
        if match.category_id is not None:
            where = "WHERE category_id = %s"
            params.append(match.category_id)
        end = offset + limit
        sql = (
            f"{scored}, within AS (SELECT article_id, score FROM scored {where}), "
            "boundary AS (SELECT coalesce((SELECT score FROM within "
            "ORDER BY score DESC LIMIT 1 OFFSET %s), 0) AS score), "
            "candidates AS (SELECT article_id, score FROM within WHERE score >= "
            "(SELECT score FROM boundary) AND (SELECT score FROM boundary) > %s "
            "ORDER BY score DESC, article_id DESC LIMIT %s) "
            "SELECT c.article_id, c.score FROM candidates c "
            "JOIN articles_searchdocument d ON d.article_id = c.article_id "
            f"ORDER BY c.score DESC, ts_rank('{self.rank_weights}', d.rank_vector, "
            "%s::tsquery) DESC, c.article_id LIMIT %s OFFSET %s"
        )
        params += [
            end - 1,
            above,
            max(end, self.rank_candidates),
            self.rank_query(match),
            limit,
            offset,
        ]
        return search_rows(sql, params)

    def _rare_terms(self, match):
        """Return (rare terms, the most coverage the others add), or None.

        The common terms are the lightest ones whose coverage together is
        below what the heaviest term adds alone as typed: an article with
        only those rarely reaches a page, and they are what makes scoring
        every match slow (tens of thousands of articles each at 100,000).
        None when no term is that common, or when the rare ones match more
        than ``prune_share`` of the articles (read back from their weights,
        ``weight_scale x ln(1 + N / matches)``): the page is then as quick
        to find among all the matches.
        """
        weights = dict(zip(match.terms, match.weights, strict=True))
        lightest = sorted(match.terms, key=lambda term: weights[term])
        alone = weights[lightest[-1]] * self.coverage_factors(head=False, typed=True)
        most = self.coverage_factors(head=True, typed=True)
        common, others = 0, 0
        for term in lightest[:-1]:
            if others + weights[term] * most >= alone:
                break
            others += weights[term] * most
            common += 1
        rare = tuple(lightest[common:])
        share = sum(1 / math.expm1(weights[term] / self.weight_scale) for term in rare)
        if not common or share > self.prune_share:
            return None
        return rare, others

    def optimize(self) -> None:
        """Refresh the planner's statistics of the index table and, outside
        a transaction (VACUUM cannot run in one), mark its pages
        all-visible, so ranking reads the candidates' vectors from the
        covering index alone (migration 0015) without waiting for
        autovacuum after a bulk write."""
        statement = "ANALYZE articles_searchdocument"
        if not connection.in_atomic_block:
            statement = "VACUUM (ANALYZE) articles_searchdocument"
        with connection.cursor() as cursor:
            cursor.execute(statement)

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
                    vector_literal(rank_fields, max_bytes=RANK_VECTOR_BYTES),
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
