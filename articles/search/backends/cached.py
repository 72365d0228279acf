"""An in-process result cache around any search backend.

A repeated popular query costs no database work. Entries are keyed by the
load of the shared search state (``query.current_state``): every index
write and synonym edit bumps the generation, and a scheduled article
coming due reloads the state, so a cached page can never show a stale or
early result. ``cache_seconds`` bounds staleness after writes that bypass
the receivers (a bulk ``UPDATE``).
"""

import dataclasses
import threading
import time
from collections import OrderedDict

from articles.search import query as query_module


class CachedSearchBackend:
    """Wraps ``backend``: ``search()`` is cached, everything else passes through."""

    cache_size = 1024
    cache_seconds = 60

    def __init__(self, backend):
        self.backend = backend
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name):
        # Only reached for names the wrapper lacks: vendor, index, limits...
        return getattr(self.backend, name)

    def search(
        self,
        query,
        *,
        language,
        category=None,
        limit=20,
        offset=0,
        use_correction=True,
        prefix=False,
        partial=True,
        totals=True,
    ):
        """Return ``backend.search(...)``, from the cache when it holds it.

        The hits list is copied on the way in and out, so a caller that
        edits its result cannot change what the next caller gets.
        """
        category_id = getattr(category, "pk", category)
        key = (
            query_module.current_state().loaded_at,
            query,
            language,
            category_id,
            limit,
            offset,
            use_correction,
            prefix,
            partial,
            totals,
        )
        now = time.monotonic()
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and now - cached[0] < self.cache_seconds:
                self._entries.move_to_end(key)
                return dataclasses.replace(cached[1], hits=list(cached[1].hits))
        result = self.backend.search(
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
        if self.cache_size:
            with self._lock:
                self._entries[key] = (
                    now,
                    dataclasses.replace(result, hits=list(result.hits)),
                )
                while len(self._entries) > self.cache_size:
                    self._entries.popitem(last=False)
        return result

    def clear_cache(self) -> None:
        """Forget every cached result, and the counts the search state
        remembers (``SearchBackend.statistic``): tests, benchmarks."""
        with self._lock:
            self._entries.clear()
        query_module.current_state().statistics.clear()
