"""Article search: one analyzer, two engines, the same behaviour.

``search()`` is what views and the API call; ``get_backend()`` returns the
backend for the current database (or the one named in the
``HELPCENTER_SEARCH_BACKEND`` setting), wrapped in the in-process result
cache. See ``analysis`` for how text becomes tokens, ``query`` for the
compiled query, ``backends.base`` for the shared flow and
``backends.reference`` for the pure-Python backend every engine is tested
against.
"""

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

BACKENDS = {
    "sqlite": "articles.search.backends.sqlite.SQLiteSearchBackend",
    "postgresql": "articles.search.backends.postgres.PostgresSearchBackend",
    "reference": "articles.search.backends.reference.ReferenceSearchBackend",
}
_backends: dict[str, object] = {}
# The backend "auto" chose for each vendor (FTS5 is probed once).
_auto: dict[str, str] = {}


def _auto_backend(vendor: str) -> str:
    if vendor == "sqlite":
        from articles.search.backends.sqlite import has_fts5

        return BACKENDS["sqlite" if has_fts5() else "reference"]
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise LookupError(f"No search backend for {vendor}") from None


def get_backend():
    """Return the search backend, wrapped in the result cache (one per class,
    reused; the engine itself is ``get_backend().backend``).

    ``HELPCENTER_SEARCH_BACKEND`` is ``auto`` (follow ``connection.vendor``;
    SQLite without FTS5 gets the reference backend) or a dotted path to a
    backend class. Raises ``LookupError`` on ``auto`` for a database vendor
    without a backend.
    """
    from articles.search.backends.cached import CachedSearchBackend

    path = settings.HELPCENTER_SEARCH_BACKEND
    if not path or path == "auto":
        vendor = connection.vendor
        if vendor not in _auto:
            _auto[vendor] = _auto_backend(vendor)
        path = _auto[vendor]
    if path not in _backends:
        _backends[path] = CachedSearchBackend(import_string(path)())
    return _backends[path]


def search(
    query: str,
    *,
    language: str | None,
    category=None,
    limit: int = 20,
    offset: int = 0,
    use_correction: bool = True,
    prefix: bool = False,
    partial: bool = True,
    totals: bool = True,
):
    """Return a ``SearchResult`` from the configured backend (see its docs)."""
    return get_backend().search(
        query,
        language=language,
        category=category,
        limit=limit,
        offset=offset,
        use_correction=use_correction,
        prefix=prefix,
        partial=partial,
        totals=totals,
    )
