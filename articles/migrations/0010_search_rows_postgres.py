"""PostgreSQL: one function that runs a search statement with the GIN plan.

The search backend builds its statements in Python (the shared flow's
slices need exclusions the functions of migration 0007 cannot express).
Run as plain statements, PostgreSQL's planner prices a sequential scan
below the GIN bitmap scan, because it does not count de-TOASTing each
vector: at 10,000 articles a common word's count took 500 ms instead of a
few. ``articles_search_rows`` runs one read-only statement with
``enable_seqscan = off`` for that statement only, as 0007's functions do.
The backend passes the statement with its parameters already bound
client-side by the driver's own quoting (``connection.ops.compose_sql``),
never user text spliced into SQL.

The functions of migration 0007 are no longer called by the backend. Does
nothing on SQLite.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION articles_search_rows(statement text)
    RETURNS TABLE (key bigint, value double precision)
    LANGUAGE plpgsql STABLE
    SET enable_seqscan = off
    AS $$
    BEGIN
        RETURN QUERY EXECUTE statement;
    END
    $$
"""
DROP = "DROP FUNCTION IF EXISTS articles_search_rows(text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_article_translation_lookup")]

    operations = [migrations.RunPython(create, drop)]
