"""SQLite search backend: an FTS5 table keyed by partition, ranked with bm25().

The contentless FTS5 table ``articles_searchdocument_fts`` indexes the
analyzed columns of ``articles_searchdocument``; triggers keep it in step
(migration 0006), so writes here only touch the document table. Its rowid
is a key, not the article id:

    language slot << 53 | listed << 52 | category id << 32 | article id

so the listed articles of one language and category are one rowid range,
and FTS5 seeks to a range instead of reading a whole doclist:

- facets: one range count per (language, category), no join;
- visibility: only listed ranges are read, and the few listed articles not
  yet due (``articles_search_scheduled``) are excluded by key, with the
  clock read at query time;
- ranking: the most recent matches of a category are the top of its range,
  so a large set's ``rank_candidates`` most recent matches are found by
  reading back from the end of each range (shared out in proportion to
  where the set's matches are) and only those are scored by bm25(), in
  one statement over every range. bm25() uses the table's global
  statistics, so scores from different ranges compare.

The two hooks of ``SearchBackend`` are ``count`` (range counts, or the
partial mode's coverage sums) and ``rank`` (bm25() over one slice).

Queries are FTS5 expressions in which every token is a quoted string.
"""

import math
import threading

from django.db import connection

from articles.models import Language
from articles.search import query as query_module
from articles.search.backends.base import SearchBackend

FTS_TABLE = "articles_searchdocument_fts"
HEAD_COLUMNS = "{title tags summary}"
# The key layout of migration 0006, whose trigger SQL holds the same slots.
LANGUAGE_SLOTS = {Language.ZH_HANS: 0, Language.EN: 1}
LANGUAGE_SHIFT, LISTED_SHIFT, CATEGORY_SHIFT = 53, 52, 32
ARTICLE_MASK = (1 << 32) - 1
CATEGORY_MASK = (1 << 20) - 1
CATEGORY_OF = f"(key >> {CATEGORY_SHIFT}) & {CATEGORY_MASK}"
# The visibility rule (base.visible_articles) on the index: the key's
# "listed" bit is status published with a publish time (migration 0006's
# triggers), and listed articles whose publish time is still to come are
# excluded by key, with the search's clock.
NOT_DUE = (
    "rowid NOT IN (SELECT key FROM articles_search_scheduled WHERE published_at > %s)"
)


# A partial set scored once per search (see ``_cover_facets``): a temporary
# table of this connection, and which match it holds, per thread.
SCORED_TABLE = "temp.articles_search_scored"
_scored = threading.local()


def stored_now(now) -> str:
    """Return the search's clock in the stored text format the scheduled
    view compares with."""
    return connection.ops.adapt_datetimefield_value(now)


def head(expression: str) -> str:
    """Return ``expression`` restricted to the title, tags and summary."""
    return f"{HEAD_COLUMNS} : ({expression})"


def not_expression(expression: str, excluded: list[str]) -> str:
    """Return ``expression`` without the matches of any ``excluded`` one."""
    return f"({expression})" + "".join(f" NOT ({other})" for other in excluded)


def quote(token: str) -> str:
    """Return ``token`` as an FTS5 string literal (double quotes doubled)."""
    return '"' + token.replace('"', '""') + '"'


def prefix_quote(token: str) -> str:
    """Return ``token`` as an FTS5 prefix query ("转"* matches 转账)."""
    return quote(token) + "*"


def partition(language: str, category_id: int) -> tuple[int, int]:
    """Return the (first, last) key of the listed articles of one partition."""
    first = (
        LANGUAGE_SLOTS[language] << LANGUAGE_SHIFT
        | 1 << LISTED_SHIFT
        | category_id << CATEGORY_SHIFT
    )
    return first, first | ARTICLE_MASK


def article_id(key: int) -> int:
    return key & ARTICLE_MASK


class SQLiteSearchBackend(SearchBackend):
    """Search over FTS5; see the module docstring."""

    vendor = "sqlite"
    # bm25() weights for the columns title, tags, summary, body.
    column_weights = (10.0, 5.0, 3.0, 1.0)
    # A set is ranked outright up to this many times rank_candidates
    # matches: bm25() costs ~1.2 µs a row, less below that than the two
    # statements that find each partition's cutoff (measured at 10,000
    # articles).
    rank_outright = 5
    # Above this many partitions (languages x categories), counting groups
    # one range per language instead of opening an FTS5 cursor per partition.
    range_counts = 16

    # --- rendering ------------------------------------------------------
    @staticmethod
    def render_terms(terms, joiner=" AND ") -> str:
        """Return the terms as an FTS5 expression of quoted tokens."""
        return joiner.join(
            query_module.render(
                term.expression(),
                token=prefix_quote if term.prefix else quote,
                conjunction=" AND ",
                disjunction=" OR ",
            )
            for term in terms
        )

    def _set(self, match) -> tuple[str, list[str]]:
        """Return (expression, excluded expressions) of an AND match."""
        expression = self.render_terms(match.terms)
        excluded = [self.render_terms(group) for group in match.exclude]
        if match.zone == "head":
            expression = head(expression)
        elif match.zone == "body":
            excluded.append(head(expression))
        return expression, excluded

    def cap_above(self) -> int:
        """The number of matches above which a set's candidates are capped."""
        return self.rank_outright * self.rank_candidates

    def _partitions(self, match, *, category=None) -> dict:
        languages = [match.language] if match.language else list(LANGUAGE_SLOTS)
        return {
            (code, category_id): partition(code, category_id)
            for code in languages
            for category_id in match.categories
            if category in (None, category_id)
        }

    # --- hooks ----------------------------------------------------------
    def count(self, match) -> dict[int, int]:
        """Return the facets: one range count per partition, no join."""
        now = stored_now(match.now)
        if match.is_partial:
            return self._cover_facets(match, now)
        expression, excluded = self._set(match)
        counts = self._count(
            not_expression(expression, excluded), self._partitions(match), now
        )
        facets: dict[int, int] = {}
        for (_code, category_id), matches in counts.items():
            if matches > 0:
                facets[category_id] = facets.get(category_id, 0) + matches
        return dict(sorted(facets.items()))

    def rank(self, match, *, limit, offset, total):
        """Return one page ranked by bm25(); see ``_rank``."""
        if limit <= 0:
            return []
        now = stored_now(match.now)
        if match.is_partial:
            return self._cover_rank(match, now, limit, offset)
        return self._rank(match, now, limit, offset, total)

    # --- partial mode ---------------------------------------------------
    def _cover_parts(self, match, now, *, relevance=True):
        """Return (SQL, params) of the ``scored`` CTE: each matching key's
        coverage and relevance, summed over one statement per term and zone.

        Relevance is the sum of each term's bm25() where it matches: bm25()
        adds up over a query's phrases, so this is the bm25() of any of the
        terms, without a second pass over the matches. Counting does without
        it (``relevance=False``): bm25() costs ~1 µs a matching row.
        """
        languages = [match.language] if match.language else list(LANGUAGE_SLOTS)
        ranges = [
            (partition(code, 0)[0], partition(code, CATEGORY_MASK)[1])
            for code in languages
        ]
        weights = ", ".join(str(weight) for weight in self.column_weights)
        parts, params = [], []
        for term, weight in zip(match.terms, match.weights, strict=True):
            expression = self.render_terms([term])
            scored = [
                (
                    expression,
                    self.coverage_factors(head=False, typed=not term.has_synonyms),
                    f"bm25({FTS_TABLE}, {weights})" if relevance else "0",
                ),
                (head(expression), self.head_factor, "0"),
            ]
            if term.has_synonyms:
                typed = self.render_terms([term.as_typed()])
                scored.append((typed, self.typed_factor, "0"))
            for fts, factor, relevance in scored:
                for first, last in ranges:
                    parts.append(
                        f"SELECT rowid AS key, {weight * factor} AS weight, "
                        f"{relevance} AS relevance FROM {FTS_TABLE} "
                        f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s"
                    )
                    params += [fts, first, last]
        excluded = "".join(
            f" AND key NOT IN (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s)"
            for _group in match.exclude
        )
        sql = (
            "WITH scored AS (SELECT key, sum(weight) AS score, "
            "sum(relevance) AS relevance FROM ("
            + " UNION ALL ".join(parts)
            + ") WHERE key NOT IN (SELECT key FROM articles_search_scheduled "
            f"WHERE published_at > %s){excluded} GROUP BY key) "
        )
        return sql, [
            *params,
            now,
            *(self.render_terms(group) for group in match.exclude),
        ]

    def _cover_facets(self, match, now) -> dict[int, int]:
        """Score the partial set once, into a temporary table of this
        connection, and count its facets there: ``_cover_rank`` pages the
        same table instead of summing the coverage a second time."""
        scored, params = self._cover_parts(match, now, relevance=False)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {SCORED_TABLE.split('.')[1]} "
                "(key INTEGER PRIMARY KEY, score INTEGER NOT NULL)"
            )
            cursor.execute(f"DELETE FROM {SCORED_TABLE}")
            cursor.execute(
                scored + f"INSERT INTO {SCORED_TABLE} (key, score) "
                "SELECT key, score FROM scored",
                params,
            )
            cursor.execute(
                f"SELECT {CATEGORY_OF}, count(*) FROM {SCORED_TABLE} GROUP BY 1"
            )
            facets = {key: value for key, value in sorted(cursor.fetchall()) if value}
        _scored.holds = (connection.connection, match)
        return facets

    def _holds_scored(self, match) -> bool:
        """Whether the temporary table holds ``match``, scored on this
        connection (by the count of the same search)."""
        held = getattr(_scored, "holds", None)
        return (
            held is not None and held[0] is connection.connection and (held[1] == match)
        )

    def _cover_rank(self, match, now, limit, offset):
        """Return a partial page: by coverage, ties by bm25(), then id.

        The coverage comes from the table the count filled (filled here if
        the count did not run). bm25() is summed only for the articles that
        can be on the page: those scoring at least the page's last score.
        """
        if not self._holds_scored(match):
            self._cover_facets(match, now)
        where, extra = "", []
        if match.category_id is not None:
            where, extra = f"AND {CATEGORY_OF} = %s", [match.category_id]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT score FROM {SCORED_TABLE} WHERE 1 {where} "
                "ORDER BY score DESC LIMIT 1 OFFSET %s",
                [*extra, offset + limit - 1],
            )
            row = cursor.fetchone()
            boundary = row[0] if row else 0
            candidates = f"SELECT key FROM {SCORED_TABLE} WHERE score >= %s {where}"
            weights = ", ".join(str(weight) for weight in self.column_weights)
            parts, params = [], []
            for term in match.terms:
                parts.append(
                    f"SELECT rowid AS key, bm25({FTS_TABLE}, {weights}) AS relevance "
                    f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                    f"AND +rowid IN ({candidates})"
                )
                params += [self.render_terms([term]), boundary, *extra]
            # Materialized: flattened into the join (one term), the FTS5
            # statement would lose the MATCH cursor bm25() needs.
            cursor.execute(
                "WITH rows AS MATERIALIZED (" + " UNION ALL ".join(parts) + "), "
                "r AS (SELECT key, sum(relevance) AS relevance FROM rows GROUP BY key) "
                f"SELECT s.key, s.score FROM {SCORED_TABLE} s JOIN r ON r.key = s.key "
                f"ORDER BY s.score DESC, r.relevance, s.key & {ARTICLE_MASK} "
                "LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return [(article_id(key), float(score)) for key, score in cursor]

    def _count(self, match, partitions, now) -> dict:
        """Return {(language, category): visible matches} in one statement.

        Up to ``range_counts`` partitions are counted one range each (FTS5
        seeks to each range); beyond, one range per language is grouped by
        partition, which costs a sort of the matches instead of a cursor per
        partition. The listed matches not due yet are subtracted.
        """
        if not partitions:
            return {}
        by_prefix = {
            first >> CATEGORY_SHIFT: key for key, (first, _last) in partitions.items()
        }
        parts, params = [], []
        if len(partitions) <= self.range_counts:
            for first, last in partitions.values():
                parts.append(
                    f"SELECT {first >> CATEGORY_SHIFT}, count(*) FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s"
                )
                params += [match, first, last]
        else:
            for language in {language for language, _category in partitions}:
                parts.append(
                    f"SELECT rowid >> {CATEGORY_SHIFT}, count(*) FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s GROUP BY 1"
                )
                params += [
                    match,
                    partition(language, 0)[0],
                    partition(language, CATEGORY_MASK)[1],
                ]
        parts.append(
            f"SELECT rowid >> {CATEGORY_SHIFT}, -count(*) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN (SELECT key FROM "
            "articles_search_scheduled WHERE published_at > %s) GROUP BY 1"
        )
        params += [match, now]
        counts = dict.fromkeys(partitions, 0)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for prefix, matches in cursor.fetchall():
                if prefix in by_prefix:
                    counts[by_prefix[prefix]] += matches
        return counts

    def _rank(self, match, now, limit, offset, total):
        """Return [(article_id, score)]: the ``offset``-th to the
        ``offset + limit``-th of the set by bm25(), then article id.

        Above ``cap_above()`` matches, each partition contributes its most
        recent matches in proportion to its share of the set, from where
        its range's ``quota``-th most recent match lies (``_cutoffs``). One
        statement walks every partition: bm25() reads the whole doclist of
        each query phrase once per statement to weigh it, a cost that would
        otherwise be paid per partition. Excluded sets (body-only,
        synonym-only) are left out by key, not by a NOT in the expression,
        which would double the phrases bm25() weighs.
        """
        expression, excluded = self._set(match)
        partitions = self._partitions(match, category=match.category_id)
        if not partitions:
            return []
        scored, included = expression, None
        if match.scored:
            # bm25() weighs the scored terms (the query with its synonyms);
            # the set itself (the words as typed) is kept by key.
            scored = self.render_terms(match.scored)
            scored = head(scored) if match.zone == "head" else scored
            included = expression
        ranges = {key: bounds for key, bounds in partitions.items()}
        if total > self.cap_above():
            fts = not_expression(expression, excluded)
            counts = {
                key: matches
                for key, matches in self._count(fts, partitions, now).items()
                if matches > 0
            }
            if not counts:
                return []
            ranges = {key: partitions[key] for key in counts}
            for key, cutoff in self._cutoffs(fts, partitions, counts, now).items():
                ranges[key] = (cutoff, partitions[key][1])
        first = min(low for low, _high in ranges.values())
        last = max(high for _low, high in ranges.values())
        where = " OR ".join(
            f"rowid BETWEEN {low} AND {high}" for low, high in ranges.values()
        )
        params: list = []
        if included is not None:
            # "+rowid": a filter, never a lookup key; as a key, FTS5 would
            # evaluate the whole expression once per typed match.
            where = (
                f"({where}) AND +rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE "
                f"{FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s)"
            )
            params += [included, first, last]
        for other in excluded:
            where = (
                f"({where}) AND rowid NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE "
                f"{FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s)"
            )
            params += [other, first, last]
        weights = ", ".join(str(weight) for weight in self.column_weights)
        # bm25() is lower for better matches; ties go to the lower article id.
        sql = (
            f"SELECT rowid, bm25({FTS_TABLE}, {weights}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s AND ({where}) "
            f"AND {NOT_DUE} ORDER BY score, rowid & {ARTICLE_MASK} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [scored, first, last, *params, now, limit, offset])
            return [(article_id(key), -score) for key, score in cursor.fetchall()]

    def _cutoffs(self, fts, partitions, counts, now) -> dict:
        """Return {partition: lowest key to rank} for the capped partitions."""
        total = sum(counts.values())
        parts, params, keys = [], [], []
        for key, matches in counts.items():
            quota = math.ceil(self.rank_candidates * matches / total)
            if quota >= matches:
                continue
            first, last = partitions[key]
            parts.append(
                f"SELECT {len(keys)}, (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} "
                f"MATCH %s AND rowid BETWEEN %s AND %s AND {NOT_DUE} "
                "ORDER BY rowid DESC LIMIT 1 OFFSET %s)"
            )
            params += [fts, first, last, now, quota - 1]
            keys.append(key)
        if not parts:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            # No quota-th match in the set: rank the whole range.
            return {
                keys[number]: cutoff
                for number, cutoff in cursor.fetchall()
                if cutoff is not None
            }

    def optimize(self) -> None:
        """Merge the FTS5 index into one segment: every query term then
        costs one b-tree seek per range instead of one per segment."""
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def has_fts5() -> bool:
    """Return whether this SQLite build has FTS5."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return "ENABLE_FTS5" in {row[0] for row in cursor.fetchall()}
