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

The facets and page functions of the search schema (migration 0007, and
its squash) are no longer called by the backend: they are dropped here, and
put back if the migration is reversed. Does nothing on SQLite.
"""

import importlib

from django.db import migrations

UNUSED = ("articles_search_facets", "articles_search_page")

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


def _unused_function_statements() -> list[str]:
    schema = importlib.import_module(
        "articles.migrations.0002_squashed_0007_search_schema"
    )
    return [
        statement
        for statement in schema.POSTGRES_CREATE
        if statement.lstrip().startswith(
            tuple(f"CREATE FUNCTION {name}(" for name in UNUSED)
        )
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        for name in UNUSED:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        for statement in _unused_function_statements():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
