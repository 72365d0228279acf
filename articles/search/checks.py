"""System check: SQLite search needs FTS5 compiled into SQLite."""

from django.core.checks import Error, Tags, register
from django.db import connection


@register(Tags.database)
def fts5_available(app_configs=None, **kwargs):
    """Return an error when the database is SQLite without FTS5."""
    if connection.vendor != "sqlite":
        return []
    from articles.search.backends.sqlite import has_fts5

    if has_fts5():
        return []
    return [
        Error(
            "SQLite was built without FTS5, which article search needs.",
            hint=(
                "Use a Python/SQLite build with FTS5, or set DATABASE_URL to "
                "PostgreSQL."
            ),
            id="articles.E001",
        )
    ]
