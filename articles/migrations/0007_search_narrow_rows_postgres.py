"""PostgreSQL: narrow index rows, per-language lexemes, ranking a window.

Measured on 100,000 synthetic articles (p95 110 ms before this migration):

- Counting a common word's 55,000 matches visited 16,800 heap pages of
  ``articles_searchdocument``: its rows held the analyzed text and two
  vectors inline (~1.3 kB a row). With ``toast_tuple_target = 128`` every
  long value moves to the TOAST table and a row is ~170 bytes: the heap is
  17 MB instead of 132 MB, and the GIN bitmap's heap visits read 2,200
  pages. Only ranking reads a TOASTed value (``rank_vector``), and only for
  the candidates it scores.
- The language lexeme ANDed to every query made GIN intersect two posting
  lists of ~60,000 entries, and synonym expansion into the other language
  (转账 -> transfer) read English posting lists for a Chinese search. Each
  lexeme of ``search_vector`` and ``head_vector`` now carries its article's
  language ("zh-hans:转账"), so a query reads only its language's postings.
  Those two vectors only decide what matches, so they keep no positions;
  ``rank_vector`` (plain lexemes, weights and positions) is what is scored.
- Ranking scored every match of the head tier. ``articles_search_page``
  now scores at most ``candidates`` of a tier's matches, the most recent
  ones, like the SQLite backend (see ``DocumentSearchBackend``), and puts
  the matches of the query as typed before synonym-only ones.

The migration rewrites the vectors of an existing index in SQL (dropping
and re-creating the GIN indexes around the rewrite) and replaces the
functions of migration 0004. It does nothing on SQLite.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# Visibility of Article.objects.published(), over the copied columns; the
# backend passes the status value and the current time.
VISIBLE = "d.status = published AND d.published_at <= due"


def _prefixed(column: str) -> str:
    return (
        f"array_to_tsvector(ARRAY(SELECT a.language || ':' || lexeme "
        f"FROM unnest(tsvector_to_array(d.{column})) AS lexeme "
        "WHERE left(lexeme, 1) <> '~'))"
    )


POSTGRES_CREATE = [
    "ALTER TABLE articles_searchdocument SET (toast_tuple_target = 128)",
    "DROP INDEX IF EXISTS articles_searchdocument_vector_gin",
    "DROP INDEX IF EXISTS articles_searchdocument_head_gin",
    f"""UPDATE articles_searchdocument d
        SET search_vector = {_prefixed("search_vector")},
            head_vector = {_prefixed("head_vector")}
        FROM articles_article a WHERE a.id = d.article_id""",
    """CREATE INDEX articles_searchdocument_vector_gin
        ON articles_searchdocument USING gin (search_vector)""",
    """CREATE INDEX articles_searchdocument_head_gin
        ON articles_searchdocument USING gin (head_vector)""",
    (
        "DROP FUNCTION IF EXISTS articles_search_page("
        "tsquery, tsquery, tsquery, text, timestamptz, bigint, integer, integer)"
    ),
    "DROP FUNCTION IF EXISTS articles_search_facets(tsquery, text, timestamptz)",
    "DROP FUNCTION IF EXISTS articles_search_match(tsquery, tsquery)",
    # The matches per category among visible rows, without ranking them.
    # ``head`` chooses head_vector (title, tags, summary) over search_vector;
    # the branch not chosen is cut by its one-time filter. The SET clause
    # keeps the GIN bitmap scan, which the planner would price above a
    # sequential scan that de-TOASTs every vector.
    f"""CREATE FUNCTION articles_search_facets(
            query tsquery, head boolean, published text, due timestamptz)
        RETURNS TABLE (category_id bigint, matches bigint)
        LANGUAGE sql STABLE
        ROWS 20
        SET enable_seqscan = off
        AS $$
            SELECT m.category_id, count(*) FROM (
                SELECT d.category_id FROM articles_searchdocument d
                WHERE head AND d.head_vector @@ query AND {VISIBLE}
                UNION ALL
                SELECT d.category_id FROM articles_searchdocument d
                WHERE NOT head AND d.search_vector @@ query AND {VISIBLE}
            ) m
            GROUP BY m.category_id
        $$""",
    # One ranked page of a tier: the visible rows matching ``query`` (in
    # ``category`` when given) and not ``exclude`` (head matches, NULL:
    # none), of which the ``candidates`` most recent are ranked with ts_rank
    # over rank_vector, weights D 0.1, C 0.3, B 0.5, A 1.0. The matches are
    # materialized so the planner cannot walk the primary key backwards and
    # test every row's vector to find the most recent ones.
    # Candidates whose rank_vector matches ``typed`` (the query as typed,
    # plain lexemes; NULL when no synonym was added) come first: synonyms
    # must not outrank the words the user chose. rank_vector is de-TOASTed
    # once (``|| ''``) for both uses; finding the typed matches through a
    # GIN bitmap scan instead cost 13 ms more at p95 on 100,000 articles.
    f"""CREATE FUNCTION articles_search_page(
            query tsquery, head boolean, rank_query tsquery, exclude tsquery,
            typed tsquery, published text, due timestamptz, category bigint,
            candidates integer, page_size integer, skip integer)
        RETURNS TABLE (article_id bigint, rank real)
        LANGUAGE sql STABLE
        ROWS 20
        SET enable_seqscan = off
        AS $$
            WITH matches AS MATERIALIZED (
                SELECT d.article_id FROM articles_searchdocument d
                WHERE head AND d.head_vector @@ query AND {VISIBLE}
                  AND (category IS NULL OR d.category_id = category)
                UNION ALL
                SELECT d.article_id FROM articles_searchdocument d
                WHERE NOT head AND d.search_vector @@ query AND {VISIBLE}
                  AND (category IS NULL OR d.category_id = category)
            ), excluded AS MATERIALIZED (
                SELECT d.article_id FROM articles_searchdocument d
                WHERE exclude IS NOT NULL AND d.head_vector @@ exclude
            ), recent AS (
                SELECT m.article_id FROM matches m
                WHERE m.article_id NOT IN (SELECT e.article_id FROM excluded e)
                ORDER BY m.article_id DESC
                LIMIT candidates
            )
            SELECT c.article_id,
                   ts_rank('{{0.1, 0.3, 0.5, 1.0}}', c.vector, rank_query) AS rank
            FROM (
                SELECT r.article_id, d.rank_vector || ''::tsvector AS vector
                FROM recent r
                JOIN articles_searchdocument d ON d.article_id = r.article_id
                OFFSET 0
            ) c
            ORDER BY coalesce(c.vector @@ typed, false) DESC, rank DESC, c.article_id
            LIMIT page_size OFFSET skip
        $$""",
]

# Back to 0004's functions and 0002's vectors. The old vectors' positions
# and weights cannot be recovered in SQL: run rebuild_search_index after.
POSTGRES_DROP = [
    (
        "DROP FUNCTION IF EXISTS articles_search_page(tsquery, boolean, tsquery, "
        "tsquery, tsquery, text, timestamptz, bigint, integer, integer, integer)"
    ),
    (
        "DROP FUNCTION IF EXISTS "
        "articles_search_facets(tsquery, boolean, text, timestamptz)"
    ),
    "ALTER TABLE articles_searchdocument RESET (toast_tuple_target)",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, POSTGRES_CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP)
    if schema_editor.connection.vendor == "postgresql":
        # 0004's functions, as that migration created them.
        from importlib import import_module

        previous = import_module("articles.migrations.0004_search_visibility_columns")
        statements = [
            statement
            for statement in previous.POSTGRES_CREATE
            if statement.lstrip().startswith("CREATE FUNCTION articles_search_")
        ]
        _run(schema_editor, statements)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_search_partitioned_fts_sqlite")]

    operations = [
        migrations.RunPython(create, drop),
        # The columns of 0002 and 0004, declared on the model since the
        # squash (0002_squashed_0007_search_schema), whose state this
        # matches. The database already has them on PostgreSQL; 0010 adds
        # them on SQLite.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name=name,
                    field=django.contrib.postgres.search.SearchVectorField(
                        db_default=""
                    ),
                )
                for name in ("search_vector", "rank_vector", "head_vector")
            ]
            + [
                migrations.AddField(
                    model_name="searchdocument",
                    name="status",
                    field=models.CharField(max_length=12, null=True),
                ),
                migrations.AddField(
                    model_name="searchdocument",
                    name="published_at",
                    field=models.DateTimeField(null=True),
                ),
                migrations.AddField(
                    model_name="searchdocument",
                    name="category",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.category",
                    ),
                ),
            ]
        ),
    ]
