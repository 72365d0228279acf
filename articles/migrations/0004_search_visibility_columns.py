"""PostgreSQL: keep each article's status, publish time and category in its index row.

Measured on 100,000 synthetic articles, most of PostgreSQL's search time
went to joining every match to ``articles_article`` (status, publish time,
language, category) and to ranking every match before counting them. With
the three columns copied into ``articles_searchdocument`` (the language is
already a lexeme of the vectors, see the postgres backend), counting and
facets read the index rows alone, and ranking only reads the page's tier
(title/tags/summary matches first, like SQLite).

The copy holds the raw values, not a verdict: the publish time is still
compared with the current time at query time, so a scheduled article
becomes findable at its publish time with no job. The backend writes the
columns on every index write (the receivers re-index on every save), and a
trigger on ``articles_article`` copies them on any UPDATE that bypasses the
receivers (``QuerySet.update()``, raw SQL), so the copy cannot drift.

The backend now calls ``articles_search_facets`` and ``articles_search_page``
below; 0002's ``articles_search_match`` is no longer called but left in
place (0002's reverse drops it).

This migration does nothing on SQLite; migration 0005 gives SQLite its own
narrow visibility table.
"""

from django.db import migrations

POSTGRES_CREATE = [
    """ALTER TABLE articles_searchdocument
        ADD COLUMN status varchar(12),
        ADD COLUMN published_at timestamptz,
        ADD COLUMN category_id bigint""",
    # Backfill an existing index (new databases have no rows yet).
    """UPDATE articles_searchdocument d
        SET status = a.status, published_at = a.published_at, category_id = a.category_id
        FROM articles_article a WHERE a.id = d.article_id""",
    """CREATE FUNCTION articles_searchdocument_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE articles_searchdocument
                SET status = NEW.status, published_at = NEW.published_at, category_id = NEW.category_id
                WHERE article_id = NEW.id;
            RETURN NULL;
        END
        $$""",
    """CREATE TRIGGER articles_article_search_sync
        AFTER UPDATE OF status, published_at, category_id
        ON articles_article FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status
              OR OLD.published_at IS DISTINCT FROM NEW.published_at
              OR OLD.category_id IS DISTINCT FROM NEW.category_id)
        EXECUTE FUNCTION articles_searchdocument_sync()""",
    # The matches per category among visible rows, without ranking them and
    # without the article table. ``published`` and ``due`` are the status
    # value and the current time from Article.objects.published()'s rule
    # (the backend passes them); the time is compared here, at query time.
    # The SET clause keeps the GIN bitmap scan, as in articles_search_match
    # (migration 0002): the planner would price a slower sequential scan.
    # A query containing the '~head' marker matches head_vector (the OR
    # fallback and the title/tags/summary tier), any other search_vector.
    """CREATE FUNCTION articles_search_facets(
            query tsquery, published text, due timestamptz)
        RETURNS TABLE (category_id bigint, matches bigint)
        LANGUAGE sql STABLE
        ROWS 20
        SET enable_seqscan = off
        AS $$
            SELECT m.category_id, COUNT(*) FROM (
                SELECT d.category_id FROM articles_searchdocument d
                WHERE d.search_vector @@ query AND NOT query @> '''~head'''::tsquery
                  AND d.status = published AND d.published_at <= due
                UNION ALL
                SELECT d.category_id FROM articles_searchdocument d
                WHERE d.head_vector @@ query AND query @> '''~head'''::tsquery
                  AND d.status = published AND d.published_at <= due
            ) m
            GROUP BY m.category_id
        $$""",
    # One ranked page among visible rows matching ``query`` but not
    # ``exclude`` (matched against head_vector; NULL excludes nothing), in
    # ``category`` when given. Only this set is ranked, with the ts_rank
    # weights of articles_search_match.
    """CREATE FUNCTION articles_search_page(
            query tsquery, rank_query tsquery, exclude tsquery,
            published text, due timestamptz, category bigint,
            page_size integer, skip integer)
        RETURNS TABLE (article_id bigint, rank real)
        LANGUAGE sql STABLE
        ROWS 20
        SET enable_seqscan = off
        AS $$
            SELECT m.article_id, m.rank FROM (
                SELECT d.article_id,
                       ts_rank('{0.1, 0.3, 0.5, 1.0}', d.rank_vector, rank_query) AS rank
                FROM articles_searchdocument d
                WHERE d.search_vector @@ query AND NOT query @> '''~head'''::tsquery
                  AND (exclude IS NULL OR NOT d.head_vector @@ exclude)
                  AND d.status = published AND d.published_at <= due
                  AND (category IS NULL OR d.category_id = category)
                UNION ALL
                SELECT d.article_id,
                       ts_rank('{0.1, 0.3, 0.5, 1.0}', d.rank_vector, rank_query)
                FROM articles_searchdocument d
                WHERE d.head_vector @@ query AND query @> '''~head'''::tsquery
                  AND (exclude IS NULL OR NOT d.head_vector @@ exclude)
                  AND d.status = published AND d.published_at <= due
                  AND (category IS NULL OR d.category_id = category)
            ) m
            ORDER BY m.rank DESC, m.article_id
            LIMIT page_size OFFSET skip
        $$""",
]
POSTGRES_DROP = [
    (
        "DROP FUNCTION IF EXISTS articles_search_page("
        "tsquery, tsquery, tsquery, text, timestamptz, bigint, integer, integer)"
    ),
    "DROP FUNCTION IF EXISTS articles_search_facets(tsquery, text, timestamptz)",
    "DROP TRIGGER IF EXISTS articles_article_search_sync ON articles_article",
    "DROP FUNCTION IF EXISTS articles_searchdocument_sync()",
    """ALTER TABLE articles_searchdocument
        DROP COLUMN IF EXISTS status,
        DROP COLUMN IF EXISTS published_at, DROP COLUMN IF EXISTS category_id""",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, POSTGRES_CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_default_synonyms")]

    operations = [migrations.RunPython(create, drop)]
