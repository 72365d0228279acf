"""Writes of the search feature: recording searches and opened results.

No search writes a row when made: searches are buffered in the cache and
written in batches, as page views are (``articles.services``).
"""

import datetime

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.search import analysis
from articles.search.models import SearchQuery
from channels.secrets import contains_secret
from helpcenter import sharedcache

# A new salt: a token of the page's searches names a buffer slot, where it
# used to name a row.
_SIGNER_SALT = "articles.search.open.slot"
_INSTANT_SALT = "articles.search.instant"
# An instant-search link records its search for this long after it was shown.
INSTANT_TOKEN_SECONDS = 3600
# How long a search's first opened result, and its row number once written,
# stay in the cache for opens that come later.
OPEN_SECONDS = 86400

# Searches wait in the cache, each in a numbered slot, and are written in
# batches (see search_flush_analytics). Keys are shared by all app servers.
LOG_NEXT_KEY = "search-log:next"
LOG_DONE_KEY = "search-log:done"
LOG_ENTRY_KEY = "search-log:{}"
LOG_OPEN_KEY = "search-log:{}:open"
LOG_ROW_KEY = "search-log:{}:row"
# The search that fills a multiple of this many slots writes them all.
FLUSH_EVERY = 100
# A missing slot this close to the newest one may still be being written
# (its number taken, its entry not yet set): a flush leaves it for the next.
RECENT_SLOTS = 64
FLUSH_BATCH = 500


def _recordable(query: str) -> str:
    """Return the stored form of ``query``, or "" when it must not be stored.

    Normalised (folded, whitespace collapsed, cut) and never a query holding
    a recovery phrase or key: users paste them by mistake.
    """
    text = analysis.clean_query(query)
    if not text or contains_secret(query) or contains_secret(text):
        return ""
    return analysis.normalize(text)[:200]


def _buffer(entry: tuple) -> int:
    """Put one search in the next free slot and return the slot's number."""
    slot = sharedcache.incr(LOG_NEXT_KEY)
    cache.set(LOG_ENTRY_KEY.format(slot), entry, timeout=None)
    if slot % FLUSH_EVERY == 0:
        search_flush_analytics()
    return slot


def search_query_record(*, query: str, language: str, result_count: int) -> int | None:
    """Record one search without a database write; return its slot number,
    or None when it must not be stored (see ``_recordable``).

    The search waits in the cache with nothing identifying the user; every
    ``FLUSH_EVERY``-th search, and ``manage.py flush_search_analytics``,
    write the waiting ones as ``SearchQuery`` rows.
    """
    text = _recordable(query)
    if not text:
        return None
    return _buffer((text, language, result_count, None, None, timezone.now()))


def search_token(slot: int | None) -> str:
    """Return the signed token that lets a results link report its opening."""
    if slot is None:
        return ""
    return signing.Signer(salt=_SIGNER_SALT).sign(str(slot))


def search_query_record_token(*, query: str, language: str, result_count: int) -> str:
    """Record one search and return its signed token ("" when not recorded):
    what a cached results page runs again for each reader it is served to."""
    return search_token(
        search_query_record(query=query, language=language, result_count=result_count)
    )


def instant_search_token(*, query: str, language: str, result_count: int) -> str:
    """Return the signed token of an instant search, which is not recorded
    when shown (it runs on every keystroke) but when one of its results is
    opened; "" when it must never be stored (see ``search_query_record``)."""
    text = _recordable(query)
    if not text:
        return ""
    payload = {
        "q": text,
        "l": language,
        "n": result_count,
        "s": int(timezone.now().timestamp()),
    }
    return signing.dumps(payload, salt=_INSTANT_SALT, compress=True)


def _record_instant_open(token: str, article_id: int, rank: int | None) -> bool:
    try:
        payload = signing.loads(
            token, salt=_INSTANT_SALT, max_age=INSTANT_TOKEN_SECONDS
        )
        query, language, count = payload["q"], payload["l"], int(payload["n"])
        # The search is when its results were shown; a token signed before
        # tokens carried the time gets the time it is opened.
        searched_at = (
            datetime.datetime.fromtimestamp(int(payload["s"]), datetime.UTC)
            if "s" in payload
            else timezone.now()
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return False
    _buffer((query, language, count, article_id, rank, searched_at))
    return True


def search_query_record_open(*, token: str, article_id: int, rank: int | None) -> bool:
    """Note which result a search led to; return whether anything changed.

    Only the first opened result of a search is kept (``cache.add`` decides,
    atomically), and only for a token this site signed, so links cannot be
    forged to skew the statistics. An instant-search token records its
    search, opened, at this point. A search already written has its row
    updated; one still waiting gets the result when it is written.
    """
    if rank is not None and not 0 < rank < 10_000:
        rank = None
    try:
        slot = int(signing.Signer(salt=_SIGNER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return _record_instant_open(token, article_id, rank)
    opened = (article_id, rank)
    if not cache.add(LOG_OPEN_KEY.format(slot), opened, timeout=OPEN_SECONDS):
        return False
    # Read after the add: a flush writes the row key before it reads the
    # open keys, so one of the two always sees the other.
    row = cache.get(LOG_ROW_KEY.format(slot))
    if row is not None:
        _apply_opens({row: opened})
    return True


def _apply_opens(opens: dict[int, tuple[int, int | None]]) -> None:
    for row, (article_id, rank) in opens.items():
        SearchQuery.objects.filter(pk=row, opened_article__isnull=True).update(
            opened_article_id=article_id, opened_rank=rank
        )


def search_flush_analytics() -> int:
    """Write the searches waiting in the cache as rows; return how many.

    Safe to run at any time and on several servers at once: each entry is
    claimed by deleting it (``cache.delete`` answers whether this call
    removed it), so it is written exactly once; running it again writes
    nothing new. Each row carries the time of its search, not the flush's.
    """
    top = cache.get(LOG_NEXT_KEY) or 0
    done = cache.get(LOG_DONE_KEY) or 0
    written, waiting = 0, []
    for start in range(done + 1, top + 1, FLUSH_BATCH):
        slots = range(start, min(start + FLUSH_BATCH, top + 1))
        keys = {LOG_ENTRY_KEY.format(slot): slot for slot in slots}
        found = cache.get_many(list(keys))
        waiting += [slot for key, slot in keys.items() if key not in found]
        claimed = {
            keys[key]: entry for key, entry in found.items() if cache.delete(key)
        }
        written += _write_entries(claimed)
    recent = [slot for slot in waiting if slot > top - RECENT_SLOTS]
    cache.set(LOG_DONE_KEY, min(recent) - 1 if recent else top, timeout=None)
    return written


@transaction.atomic
def _write_entries(claimed: dict[int, tuple]) -> int:
    if not claimed:
        return 0
    opens = {
        int(key.split(":")[1]): value
        for key, value in cache.get_many(
            [LOG_OPEN_KEY.format(slot) for slot in claimed]
        ).items()
    }
    article_ids = {entry[3] for entry in claimed.values()} | {
        article_id for article_id, _rank in opens.values()
    }
    existing = set(
        Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True)
    )
    rows = {}
    flushed_at = timezone.now()
    for slot, entry in claimed.items():
        query, language, count, article_id, rank, *searched_at = entry
        article_id, rank = opens.get(slot) or (article_id, rank)
        if article_id not in existing:
            article_id, rank = None, None
        rows[slot] = SearchQuery(
            query=query,
            language=language,
            result_count=count,
            opened_article_id=article_id,
            opened_rank=rank,
            # Entries buffered before they carried their time get the flush's.
            created_at=searched_at[0] if searched_at else flushed_at,
        )
    SearchQuery.objects.bulk_create(rows.values())
    ids = {slot: row.pk for slot, row in rows.items() if row.pk is not None}
    cache.set_many(
        {LOG_ROW_KEY.format(slot): pk for slot, pk in ids.items()},
        timeout=OPEN_SECONDS,
    )
    # An open that arrived between the read above and the row keys.
    late = cache.get_many(
        [LOG_OPEN_KEY.format(slot) for slot in ids if slot not in opens]
    )
    _apply_opens(
        {
            ids[int(key.split(":")[1])]: value
            for key, value in late.items()
            if value[0] in existing or Article.objects.filter(pk=value[0]).exists()
        }
    )
    return len(rows)
