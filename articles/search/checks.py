"""System check: SQLite search is fast with FTS5 compiled into SQLite."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connection


@register(Tags.database)
def fts5_available(app_configs=None, **kwargs):
    """Return a warning when ``auto`` search falls back to the reference
    backend because this SQLite lacks FTS5 (it reads every article per
    search: fine for a few hundred, slow beyond)."""
    if connection.vendor != "sqlite" or settings.HELPCENTER_SEARCH_BACKEND not in (
        "",
        "auto",
    ):
        return []
    from articles.search.backends.sqlite import has_fts5

    if has_fts5():
        return []
    return [
        Warning(
            "SQLite was built without FTS5: search uses the pure-Python reference "
            "backend, which reads every article per search.",
            hint=(
                "Use a Python/SQLite build with FTS5, or set DATABASE_URL to "
                "PostgreSQL."
            ),
            id="articles.W001",
        )
    ]
