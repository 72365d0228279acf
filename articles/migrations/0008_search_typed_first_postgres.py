"""PostgreSQL: within a ranked page, matches of the query as typed come first.

Synonyms are scored like the words the user typed, so "transfer" put
"How to send us feedback" first: "send" (a synonym) is rarer than
"transfer". ``articles_search_page`` takes the query as typed (``typed``,
NULL when no synonym was added) and orders the tier's candidates that match
it before the synonym-only ones, each group by ts_rank, as the SQLite
backend does. It does nothing on SQLite.
"""

from django.db import migrations

VISIBLE = "d.status = published AND d.published_at <= due"
OLD_SIGNATURE = (
    "articles_search_page(tsquery, boolean, tsquery, tsquery, text, "
    "timestamptz, bigint, integer, integer, integer)"
)

POSTGRES_CREATE = [
    f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}",
    # As migration 0007's function, plus ``typed``: the matches of the query
    # as typed in the same vector (head or all), found through the same GIN
    # index and used only to order the candidates.
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
            ), as_typed AS MATERIALIZED (
                SELECT d.article_id FROM articles_searchdocument d
                WHERE typed IS NOT NULL AND head AND d.head_vector @@ typed
                UNION ALL
                SELECT d.article_id FROM articles_searchdocument d
                WHERE typed IS NOT NULL AND NOT head AND d.search_vector @@ typed
            ), recent AS (
                SELECT m.article_id FROM matches m
                WHERE m.article_id NOT IN (SELECT e.article_id FROM excluded e)
                ORDER BY m.article_id DESC
                LIMIT candidates
            )
            SELECT r.article_id,
                   ts_rank('{{0.1, 0.3, 0.5, 1.0}}', d.rank_vector, rank_query) AS rank
            FROM recent r JOIN articles_searchdocument d ON d.article_id = r.article_id
            ORDER BY r.article_id IN (SELECT t.article_id FROM as_typed t) DESC,
                     rank DESC, r.article_id
            LIMIT page_size OFFSET skip
        $$""",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    previous = import_module("articles.migrations.0007_search_narrow_rows_postgres")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS articles_search_page(tsquery, boolean, tsquery, "
        "tsquery, tsquery, text, timestamptz, bigint, integer, integer, integer)"
    )
    for statement in previous.POSTGRES_CREATE:
        if "CREATE FUNCTION articles_search_page(" in statement:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_narrow_rows_postgres")]

    operations = [migrations.RunPython(create, drop)]
