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
  so a large tier's ``RANK_CANDIDATES`` most recent matches are found by
  reading back from the end of each range (shared out in proportion to
  where the tier's matches are) and only those are scored by bm25(), in
  one statement over every range. bm25() uses the table's global
  statistics, so scores from different ranges compare.

Queries are FTS5 expressions in which every token is a quoted string.
"""

import math

from django.db import connection
from django.utils import timezone

from articles.models import Language
from articles.search import query as query_module
from articles.search.backends.base import (
    HEAD_FACTOR,
    RANK_CANDIDATES,
    DocumentSearchBackend,
    IndexedDocument,
)

FTS_TABLE = "articles_searchdocument_fts"
HEAD_COLUMNS = "{title tags summary}"
# bm25() weights for the columns title, tags, summary, body.
COLUMN_WEIGHTS = (10.0, 5.0, 3.0, 1.0)
# The key layout of migration 0006, whose trigger SQL holds the same slots.
LANGUAGE_SLOTS = {Language.ZH_HANS: 0, Language.EN: 1}
LANGUAGE_SHIFT, LISTED_SHIFT, CATEGORY_SHIFT = 53, 52, 32
ARTICLE_MASK = (1 << 32) - 1
CATEGORY_MASK = (1 << 20) - 1
# A tier is ranked outright up to this many times RANK_CANDIDATES matches:
# bm25() costs ~1.2 µs a row, less below that than the two statements that
# find each partition's cutoff (measured at 10,000 articles).
RANK_OUTRIGHT = 5
# Above this many partitions (languages x categories), counting groups one
# range per language instead of opening an FTS5 cursor per partition.
RANGE_COUNTS = 16
# Listed articles whose publish time is still to come, by key.
NOT_DUE = (
    "rowid NOT IN (SELECT key FROM articles_search_scheduled WHERE published_at > %s)"
)


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


def cap_above() -> int:
    """The number of matches above which a tier's candidates are capped."""
    return RANK_OUTRIGHT * RANK_CANDIDATES


class SQLiteSearchBackend(DocumentSearchBackend):
    """Search over FTS5; see the module docstring."""

    vendor = "sqlite"

    def render_query(self, terms, mode, language=None):
        """Return (match, literal): FTS5 expressions of quoted tokens.

        ``match`` is what must match, synonyms included; ``literal`` the
        same terms as typed, whose matches rank first ("" when no synonym
        was added). The OR fallback only searches the title, tags and
        summary (see ``DocumentSearchBackend``).
        """
        rendered = [
            query_module.render(
                term.expression(),
                token=prefix_quote if term.prefix else quote,
                conjunction=" AND ",
                disjunction=" OR ",
            )
            for term in terms
        ]
        typed = [
            "("
            + " AND ".join(
                (prefix_quote if term.prefix else quote)(token) for token in term.literal
            )
            + ")"
            for term in terms
        ]
        if not any(term.typed for term in terms):
            typed = []
        if mode == "and":
            return " AND ".join(rendered), " AND ".join(typed)
        return (
            f"{HEAD_COLUMNS} : (" + " OR ".join(rendered) + ")",
            f"{HEAD_COLUMNS} : (" + " OR ".join(typed) + ")" if typed else "",
        )

    def match_page(self, match, *, language, category, limit, offset, state):
        """Return (facets, ranked page): range counts, then capped tiers."""
        match, literal = match
        languages = [language] if language else list(LANGUAGE_SLOTS)
        partitions = {
            (code, category_id): partition(code, category_id)
            for code in languages
            for category_id in state.category_ids
        }
        # The stored text format, which the scheduled view compares with.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        counts = self._count(match, partitions, now)
        facets: dict[int, int] = {}
        for (_code, category_id), matches in counts.items():
            facets[category_id] = facets.get(category_id, 0) + matches
        facets = {key: value for key, value in sorted(facets.items()) if value > 0}
        total = sum(facets.values()) if category is None else facets.get(category, 0)
        counts = {
            key: matches
            for key, matches in counts.items()
            if matches > 0 and category in (None, key[1])
        }

        head_match = f"{HEAD_COLUMNS} : ({match})"
        head_counts: dict = {}

        def tier_counts(tier) -> dict:
            """The tier's own matches per partition (one more count, once)."""
            if not head_counts:
                head_counts.update(self._count(head_match, partitions, now))
            head = head_counts
            if tier == self.HEAD:
                return {key: head[key] for key in counts}
            return {key: counts[key] - head[key] for key in counts}

        def fetch(tier, size, skip):
            # The candidates are first shared out as all matches are. If
            # capping then left the tier short of the page (its matches sit
            # elsewhere), they are shared out by the tier's own counts.
            query = (tier, match, literal)
            rows, capped = self._rank(query, partitions, counts, now, size, skip)
            if capped and len(rows) < size and tier != self.ALL:
                counted = tier_counts(tier)
                rows, _ = self._rank(query, partitions, counted, now, size, skip)
            return rows

        ranked = self.rank_tiers(
            fetch,
            head_only=match.startswith(HEAD_COLUMNS),
            total=total,
            limit=limit,
            offset=offset,
        )
        return facets, ranked

    def cover_page(self, weighted, *, language, category, limit, offset, state):
        """Return (facets, ranked page) of the partial mode: one statement
        sums each matching row's term weights, over every listed range of
        the language(s), and both the facets and the page read it."""
        languages = [language] if language else list(LANGUAGE_SLOTS)
        ranges = [
            (partition(code, 0)[0], partition(code, CATEGORY_MASK)[1])
            for code in languages
        ]
        parts, params = [], []
        for term, weight in weighted:
            match = self.render_query([term], "and")[0]
            for head, expression in (
                (False, match),
                (True, f"{HEAD_COLUMNS} : ({match})"),
            ):
                for first, last in ranges:
                    parts.append(
                        f"SELECT rowid AS key, {weight * (HEAD_FACTOR - 1) if head else weight} "
                        f"AS weight FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                        "AND rowid BETWEEN %s AND %s"
                    )
                    params += [expression, first, last]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        scored = (
            "WITH scored AS (SELECT key, sum(weight) AS score FROM ("
            + " UNION ALL ".join(parts)
            + ") WHERE key NOT IN (SELECT key FROM articles_search_scheduled "
            "WHERE published_at > %s) GROUP BY key) "
        )
        params.append(now)
        category_of = f"(key >> {CATEGORY_SHIFT}) & {CATEGORY_MASK}"
        with connection.cursor() as cursor:
            cursor.execute(
                scored + f"SELECT {category_of}, count(*) FROM scored GROUP BY 1",
                params,
            )
            facets = {key: value for key, value in sorted(cursor.fetchall()) if value}
            total = sum(facets.values()) if category is None else facets.get(category, 0)
            if not total or limit <= 0 or offset >= total:
                return facets, []
            where = "" if category is None else f"WHERE {category_of} = %s"
            cursor.execute(
                scored + f"SELECT key, score FROM scored {where} ORDER BY score DESC, "
                f"key & {ARTICLE_MASK} LIMIT %s OFFSET %s",
                [*params, *([category] if category is not None else []), limit, offset],
            )
            ranked = [(article_id(key), float(score)) for key, score in cursor]
        return facets, ranked

    def _count(self, match, partitions, now) -> dict:
        """Return {(language, category): visible matches} in one statement.

        Up to ``RANGE_COUNTS`` partitions are counted one range each (FTS5
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
        if len(partitions) <= RANGE_COUNTS:
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

    def _rank(self, query, partitions, counts, now, size, skip):
        """Return [(article_id, score)] best first: the ``skip``-th to the
        ``skip + size``-th of the tier's ranked candidates.

        Each partition contributes its most recent matches in proportion to
        its share of ``counts`` (all of them when the total is at most
        ``cap_above()``), from where its range's ``quota``-th most recent
        match in the tier lies. One statement walks every partition: bm25()
        reads the whole doclist of each query phrase once per statement to
        weigh it, a cost that would otherwise be paid per partition.

        Within the candidates, those matching the query as typed (the same
        tier of ``literal``) come first, then synonym-only matches: a
        synonym must not outrank the word the user chose ("transfer" would
        otherwise put "How to send us feedback" first, "send" being rarer).

        ``query`` is (tier, match, literal). Returns (rows, whether any
        partition was capped).
        """
        tier, match, literal = query
        counts = {key: matches for key, matches in counts.items() if matches > 0}
        if size <= 0 or not counts:
            return [], False
        total = sum(counts.values())
        head_match = f"{HEAD_COLUMNS} : ({match})"
        expression = {
            self.ALL: match,
            self.HEAD: head_match,
            self.BODY: f"({match}) NOT ({head_match})",
        }[tier]
        lows = {key: partitions[key][0] for key in counts}
        cutoffs = {}
        if total > cap_above():
            cutoffs = self._cutoffs(expression, partitions, counts, total, now)
            lows.update(cutoffs)
        first = min(lows.values())
        last = max(partitions[key][1] for key in counts)
        # Rows outside the counted partitions, or older than their cutoff, fail.
        cases = " ".join(
            f"WHEN {lows[key] >> CATEGORY_SHIFT} THEN rowid >= {lows[key]}"
            for key in counts
        )
        where = f"CASE rowid >> {CATEGORY_SHIFT} {cases} ELSE 0 END"
        params = []
        if tier == self.BODY:
            # Body-only: the tier is only reached with few head matches, so
            # they are excluded by rowid instead of by a NOT expression (which
            # would double the phrases bm25() weighs).
            expression = match
            where += (
                f" AND rowid NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE "
                f"{FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s)"
            )
            params += [head_match, first, last]
        order, order_params = "", []
        if literal:
            # Synonyms were added: the candidates matching as typed first.
            if tier == self.HEAD:
                literal = f"{HEAD_COLUMNS} : ({literal})"
            if cutoffs:
                # Looked up in each partition's candidate range only.
                ranges = [(lows[key], partitions[key][1]) for key in counts]
            else:
                # Few matches: one cursor over the whole span is cheaper.
                ranges = [(first, last)]
            typed = " UNION ALL ".join(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND rowid BETWEEN {low} AND {high}"
                for low, high in ranges
            )
            order = f"rowid IN ({typed}) DESC, "
            order_params = [literal] * len(ranges)
        weights = ", ".join(str(weight) for weight in COLUMN_WEIGHTS)
        # bm25() is lower for better matches; ties go to the lower article id.
        sql = (
            f"SELECT rowid, bm25({FTS_TABLE}, {weights}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s AND {where} "
            f"AND {NOT_DUE} ORDER BY {order}score, rowid & {ARTICLE_MASK} "
            "LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [expression, first, last, *params, now, *order_params, size, skip],
            )
            rows = [(article_id(key), -score) for key, score in cursor.fetchall()]
        return rows, bool(cutoffs)

    def _cutoffs(self, match, partitions, counts, total, now) -> dict:
        """Return {partition: lowest key to rank} for the capped partitions."""
        parts, params, keys = [], [], []
        for key, matches in counts.items():
            quota = math.ceil(RANK_CANDIDATES * matches / total)
            if quota >= matches:
                continue
            first, last = partitions[key]
            parts.append(
                f"SELECT {len(keys)}, (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} "
                f"MATCH %s AND rowid BETWEEN %s AND %s AND {NOT_DUE} "
                "ORDER BY rowid DESC LIMIT 1 OFFSET %s)"
            )
            params += [match, first, last, now, quota - 1]
            keys.append(key)
        if not parts:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            # No quota-th match in the tier: rank the whole range.
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
