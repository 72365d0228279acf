"""PostgreSQL: the rank vectors in a covering index, read without TOAST.

Ranking scores up to ``rank_candidates`` (1,000) matches of a set with
``ts_rank`` over ``rank_vector``. Since migration 0007 that vector lives in
the TOAST table (``toast_tuple_target = 128`` keeps the heap narrow for the
GIN bitmap scans that count): each candidate cost a primary-key lookup, a
heap visit, a TOAST index lookup and a TOAST chunk, about half of a results
page's ranking time at 100,000 articles. A btree on ``article_id`` that
includes ``rank_vector`` (at most ~1.6 kB, well within a btree tuple) lets
the ranking join read each candidate's vector with an index-only scan: the
same value, so the same scores, from one index descent (heap pages not yet
marked all-visible are still read through the heap, as before). It costs
about 140 MB at 100,000 articles and a second btree entry per index write.
Does nothing on SQLite.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX articles_searchdocument_rank ON articles_searchdocument "
    "(article_id) INCLUDE (rank_vector)"
)
DROP = "DROP INDEX IF EXISTS articles_searchdocument_rank"


# Btree entries are capped at 2,704 bytes; vectors written before the index
# builder capped them (articles.search.backends.postgres.RANK_VECTOR_BYTES)
# may be longer. Those keep their title and tags, else their title, else
# nothing, until ``rebuild_search_index`` (or a save) writes them again.
LIMIT = 2400
TRIM = [
    "UPDATE articles_searchdocument SET rank_vector = ts_filter(rank_vector, '{a,b}') "
    "WHERE pg_column_size(rank_vector) > %s",
    "UPDATE articles_searchdocument SET rank_vector = ts_filter(rank_vector, '{a}') "
    "WHERE pg_column_size(rank_vector) > %s",
    "UPDATE articles_searchdocument SET rank_vector = '' "
    "WHERE pg_column_size(rank_vector) > %s",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRIM[0], [LIMIT])
        trimmed = cursor.rowcount
        for statement in TRIM[1:]:
            cursor.execute(statement, [LIMIT])
    if trimmed:
        print(
            f"\n  {trimmed} search entries had long rank vectors, trimmed: "
            "run `manage.py rebuild_search_index` to score them in full again."
        )
    schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_more_default_synonyms")]

    operations = [migrations.RunPython(create, drop)]
