"""Article search: one analyzer, two engines, the same behaviour.

``search()`` is what views and the API call; ``get_backend()`` returns the
backend for the current database (or the one named in the
``HELPCENTER_SEARCH_BACKEND`` setting). See ``analysis`` for how text
becomes tokens and ``backends`` for the engines.
"""

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

BACKENDS = {
    "sqlite": "articles.search.backends.sqlite.SQLiteSearchBackend",
    "postgresql": "articles.search.backends.postgres.PostgresSearchBackend",
}
_backends: dict[str, object] = {}


def get_backend():
    """Return the search backend instance (one per class, reused).

    ``HELPCENTER_SEARCH_BACKEND`` is ``auto`` (follow ``connection.vendor``)
    or a dotted path to a backend class. Raises ``LookupError`` on ``auto``
    for a database vendor without a backend.
    """
    path = settings.HELPCENTER_SEARCH_BACKEND
    if not path or path == "auto":
        try:
            path = BACKENDS[connection.vendor]
        except KeyError:
            raise LookupError(f"No search backend for {connection.vendor}") from None
    if path not in _backends:
        _backends[path] = import_string(path)()
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
    )
