"""Bring a database that ran 0002-0007 one by one to what the squash builds.

``0002_squashed_0007_search_schema`` builds today's search schema on a new
database; a database that applied the six migrations it replaces has the
same schema, except for two things this migration settles (on a database
the squash built, it finds nothing to do):

- SQLite: 0002's covering index ``articles_article_search_visibility`` on
  ``articles_article``, which nothing reads since 0005/0006 moved the
  visibility lookup to ``articles_search_visibility`` and the FTS5 key, is
  dropped.
- SQLite: the columns the model declares for PostgreSQL (the three vectors
  and the visibility copy) are added, empty, as the squash creates them.
  ``ALTER TABLE ... ADD COLUMN`` keeps the table and its FTS5 triggers
  (Django's AddField would rebuild the table on SQLite and drop them).

PostgreSQL already matches: 0007 dropped the last unused function.
"""

from django.db import migrations

COLUMNS = (
    "search_vector",
    "rank_vector",
    "head_vector",
    "status",
    "published_at",
    "category",
)
UNUSED_INDEX = "articles_article_search_visibility"


def upgrade(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {UNUSED_INDEX}")
    SearchDocument = apps.get_model("articles", "SearchDocument")
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        present = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, table
            )
        }
    for name in COLUMNS:
        field = SearchDocument._meta.get_field(name)
        if field.column in present:
            continue
        definition, params = schema_editor.column_sql(
            SearchDocument, field, include_default=True
        )
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} ADD COLUMN "
            f"{schema_editor.quote_name(field.column)} {definition}",
            params,
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_article_translation_lookup")]

    # Nothing to undo: the columns are the model's, and the index was unused.
    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
