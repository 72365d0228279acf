"""Full-page cache for anonymous readers of the public pages.

``public_page`` (applied to a view in its ``urls.py``) keeps each rendered
page in the configured cache (Redis in production, so every app server
shares it; local memory otherwise), per language, host and full path, and
answers the next anonymous reader from it with no database query.

Invalidation: every cached page records the content *generation* it was
made in, and is served only while that generation is current. Any save,
delete or many-to-many change of a model a public page may show (everything
except the high-churn private rows in ``UNSHOWN``) starts a new generation
at once and again when its transaction commits, so the next reader after a
staff edit sees the edit, on every app server. Time also changes pages: a
scheduled article goes live, an incident notice starts or ends. The state
key stores the earliest such moment after the generation began; no page
outlives it, and the first reader after it starts a new generation. A view
whose page changes at other moments (a channel opening) says so with
``expires_by``.

The generation must be seen by every process that serves pages for an edit
to reach them all, and it is read on every request. With Redis it lives
there, read through Redis's client-side caching: each process keeps it and
Redis tells the process when it changes (``sharedcache.tracked_get``). With
the local-memory cache (no ``REDIS_URL``) each gunicorn worker keeps its own
pages, but the generation lives in the ``shared`` file cache, read again
only when the file changes, so an edit made through one worker (or
``manage.py``) is seen by every other worker on its next request.

A hit costs no round trip to the cache: each process also keeps the pages it
served lately (``LOCAL_PAGES``), valid while their generation is current;
only a page it does not hold is fetched from the shared cache.

Never cached: other methods than GET, staff and signed-in users, any
request carrying a cookie other than the CSRF and language cookies (a
session, messages, a voter cookie: the page may depend on it), responses
other than 200, streaming ones, ones that set a cookie, touch the session,
carry messages or say ``private``/``no-store``/``no-cache``.

CSRF (the article's vote form, the checker's forms): a cached page must not
hand one reader's token to another, and forms must keep working without
JavaScript. The cache stores the page with each token replaced by a
placeholder, and each answer puts in a fresh token for *this* reader
(``reader_csrf_token``: Django's masking of the reader's secret, a new
secret and CSRF cookie for a reader without one, as ``get_token`` does). So
every reader gets a working form with a token of their own, while the
expensive part, rendering, happens once. Every answer has ``Vary: Cookie``;
the ETag of a page with a form covers the reader's CSRF secret, so a 304
never keeps a page whose token would not match the cookie.

The page is stored cut at every place a per-reader value goes (the token,
each ``replay`` value and its URL-encoded form), as UTF-8: a hit joins bytes
and never searches or encodes the page.

Per-request side effects of a view (an article's view count, the search
analytics) are registered with ``replay`` and run again on every hit.

Conditional GET: each cached page has an ETag; ``If-None-Match`` with it
answers 304.
"""

import contextvars
import datetime
import hashlib
import os
import re
import secrets
import string
import time
from functools import wraps

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_migrate,
)
from django.http import HttpResponse
from django.template.defaultfilters import urlencode
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from helpcenter import sharedcache

# Renamed when its Redis form became a plain string (it was pickled): servers
# of either version never read the other's.
STATE_KEY = "pagecache:generation"
PAGE_KEY = "pagecache:page:{digest}"
# What Django's {% csrf_token %} renders; the value is the reader's token.
CSRF_INPUT = re.compile(
    r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(")'
)
CSRF_PLACEHOLDER = "pagecache-csrf-placeholder"
# Models no public page shows, written at high rates (tickets, votes,
# analytics, sign-ins): their writes must not empty the cache. A model's
# simple-history copy follows the model (see ``_shown``).
UNSHOWN = {
    "admin.logentry",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "axes.accessattemptexpiration",
    "sessions.session",
    "auth.user",
    "articles.articlevote",
    "articles.searchquery",
    "channels.contactlookup",
    "channels.contactreport",
    "channels.ticket",
    "channels.ticketevent",
    "channels.ticketrating",
    "channels.ticketattachment",
    "channels.outboundemail",
    "otp_totp.totpdevice",
}


# --- the content generation ------------------------------------------------


def _state_cache():
    """Where the generation lives: the ``shared`` cache when the default one
    is private to each process (local memory), else the default."""
    return caches["shared"] if "shared" in settings.CACHES else cache


def _next_change(now: datetime.datetime) -> float | None:
    """Return the first moment after ``now`` at which a page may change by
    itself (an article going live, a notice starting or ending), as a
    timestamp, or None. Two queries."""
    from articles.models import Article
    from channels.tickets.models import IncidentNotice

    article = (
        Article.objects.listed()
        .filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)[:1]
    )
    found = list(article)
    # Notices still to start or to end: a handful of rows.
    for starts_at, ends_at in IncidentNotice.objects.filter(
        Q(starts_at__gt=now) | Q(ends_at__gt=now)
    ).values_list("starts_at", "ends_at"):
        found += [m for m in (starts_at, ends_at) if m is not None and m > now]
    return min(found).timestamp() if found else None


# While migrations run, tables may be missing: a change only drops the state,
# and the first reader computes it.
_migrating = False


# The state a request has read, so that it reads it once however many
# values it looks up (the contact form's POST looks up five): a holder set
# empty when a request starts and dropped when it ends; None outside
# requests, where every call reads the shared state.
_request_state: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "pagecache_request_state", default=None
)


def _request_started(**kwargs):
    _request_state.set({})


def _request_finished(**kwargs):
    _request_state.set(None)


def _new_state() -> tuple[str, float | None]:
    if _migrating:
        _write_state(None)
        state = ("", None)
    else:
        state = (secrets.token_hex(8), _next_change(timezone.now()))
        _write_state(state)
    holder = _request_state.get()
    if holder is not None:
        # A change made by this request is seen by the rest of it.
        holder["state"] = state
    return state


# The state last read from the file cache, with the file's identity then
# (inode, modification time, size). The file cache writes a new file and
# renames it over the old one, so the identity changes with every write.
_file_state = {"stamp": None, "state": None}
_file_paths = {}


def _read_state():
    """Return the stored (generation, next change), or None.

    Read on every request. With Redis, a plain string kept by this process
    until Redis says it changed (``sharedcache.tracked_get``).
    From the file cache (no Redis), a ``stat`` tells whether the file changed
    since this process last read it: the file is read only after a change."""
    if sharedcache.uses_redis():
        stored = sharedcache.tracked_get(cache.make_key(STATE_KEY))
        if stored is None:
            return None
        generation, _, until = stored.decode().partition(" ")
        return (generation, float(until) if until else None)
    store = _state_cache()
    if not isinstance(store, FileBasedCache):
        return store.get(STATE_KEY)
    # _dir, _key_to_file: the folder and the path FileBasedCache keeps the
    # key in (both stable since Django 1.x). stat comes before the read, so a stamp is never paired
    # with an older state than its own; a newer one is read again next time.
    path = _file_paths.get(store._dir) or _file_paths.setdefault(
        store._dir, store._key_to_file(STATE_KEY)
    )
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    stamp = (found.st_ino, found.st_mtime_ns, found.st_size)
    if stamp != _file_state["stamp"]:
        _file_state["state"] = store.get(STATE_KEY)
        _file_state["stamp"] = stamp
    return _file_state["state"]


def _write_state(state: tuple[str, float | None] | None) -> None:
    """Store the state, with no expiry, or drop it (``None``)."""
    if not sharedcache.uses_redis():
        if state is None:
            _state_cache().delete(STATE_KEY)
        else:
            _state_cache().set(STATE_KEY, state, timeout=None)
    elif state is None:
        sharedcache.tracked_set(cache.make_key(STATE_KEY), None)
    else:
        generation, until = state
        stored = generation if until is None else f"{generation} {until!r}"
        sharedcache.tracked_set(cache.make_key(STATE_KEY), stored)


def _state() -> tuple[str, float | None]:
    """Return (generation, next change) of the content, starting a new
    generation when there is none or its next change has come. Read once
    per request."""
    holder = _request_state.get()
    if holder is not None and "state" in holder:
        return holder["state"]
    state = _read_state()
    if (
        state is None
        or not state[0]
        or (state[1] is not None and state[1] <= _now_ts())
    ):
        state = _new_state()
    if holder is not None:
        holder["state"] = state
    return state


def content_changed() -> None:
    """Start a new generation: every cached page is out of date.

    Called at once and again when the transaction commits: a reader between
    the two may have cached the page as it was before the commit."""
    _new_state()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_state)


def _shown(model) -> bool:
    """Whether a public page may show ``model``'s rows. A simple-history
    copy (``instance_type``) is shown when the model it records is."""
    model = getattr(model, "instance_type", model)
    return model._meta.label_lower not in UNSHOWN


def _on_change(sender, **kwargs):
    # Fixtures (raw) and the frozen models of migrations, whose tables may
    # not be there yet, change no page being served.
    if kwargs.get("raw") or sender._meta.apps is not global_apps:
        return
    if _shown(sender):
        content_changed()


def _migrate_starts(**kwargs):
    global _migrating
    _migrating = True


def _migrate_ends(**kwargs):
    global _migrating
    _migrating = False
    _write_state(None)


def connect() -> None:
    pre_migrate.connect(_migrate_starts, dispatch_uid="pagecache-pre-migrate")
    post_migrate.connect(_migrate_ends, dispatch_uid="pagecache-post-migrate")
    post_save.connect(_on_change, dispatch_uid="pagecache-save")
    post_delete.connect(_on_change, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="pagecache-m2m")
    request_started.connect(_request_started, dispatch_uid="pagecache-request-started")
    request_finished.connect(
        _request_finished, dispatch_uid="pagecache-request-finished"
    )


def _m2m_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        _on_change(sender, **kwargs)


def _now_ts() -> float:
    # timezone.now(), not time.time(): the clock the rest of the site (and
    # the tests that move it) reads, for a microsecond more.
    return timezone.now().timestamp()


def remember(name: str, compute, *, per_process: bool = False):
    """Return ``compute()``, kept in the cache for the current content
    generation (and no later than its next change).

    ``per_process``: kept in this process's memory instead, for small values
    read on every request of a kind (the contact form's reference data): one
    round trip for the generation, no fetch, no unpickling. Each process
    computes the value once per generation; a staff edit anywhere starts a
    new generation, so no process keeps an old value after it.
    """
    if settings.HELPCENTER_PAGE_CACHE_SECONDS <= 0:
        return compute()
    generation, until = _state()
    if per_process:
        return _remember_in_process(name, compute, generation)
    key = f"pagecache:value:{generation}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        timeout = settings.HELPCENTER_PAGE_CACHE_SECONDS
        if until is not None:
            timeout = min(timeout, int(until - _now_ts()) + 1)
        if timeout > 0:
            cache.set(key, value, timeout=timeout)
    return value


# name -> (generation, kept until, value): one entry per name, so it stays
# as small as the set of names. A generation ends by the time of its next
# change (``_state``); like the shared cache's copies, a value is also kept
# no longer than HELPCENTER_PAGE_CACHE_SECONDS (for edits made without
# signals, such as ``QuerySet.update``).
_in_process: dict[str, tuple[str, float, object]] = {}


def _remember_in_process(name: str, compute, generation: str):
    kept = _in_process.get(name)
    now = time.monotonic()
    if kept is not None and kept[0] == generation and kept[1] > now:
        return kept[2]
    value = compute()
    # No generation while migrations run: nothing to key the value on.
    if generation:
        until = now + settings.HELPCENTER_PAGE_CACHE_SECONDS
        _in_process[name] = (generation, until, value)
    return value


# --- what a view tells the cache ------------------------------------------


def replay(request, func, *, replaces=(), with_request: bool = False, **kwargs) -> None:
    """Run ``func(**kwargs)`` again on every cache hit of this page
    (``func(request, **kwargs)`` with ``with_request``).

    With ``replaces`` (a string, or a tuple of them), the value ``func``
    returns (a string, or a tuple as long) takes the place of each in the
    page, also where it appears URL-encoded: per-request tokens.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    if not hasattr(request, "_pagecache_replays"):
        request._pagecache_replays = []
    request._pagecache_replays.append((name, replaces, with_request, kwargs))


def expires_by(request, moment: datetime.datetime | None) -> None:
    """Keep this page no later than ``moment`` (it changes by itself then)."""
    if moment is None:
        return
    current = getattr(request, "_pagecache_until", None)
    stamp = moment.timestamp()
    request._pagecache_until = stamp if current is None else min(current, stamp)


# --- the reader's CSRF token ----------------------------------------------

# Django's alphabet for CSRF secrets and masks (django.middleware.csrf), and
# a table mapping a random byte below 248 (4 x 62) to one of its characters
# without bias; bytes from 248 are dropped.
_CSRF_CHARS = string.ascii_letters + string.digits
_CSRF_INDEX = {char: index for index, char in enumerate(_CSRF_CHARS)}
_CSRF_TABLE = bytes(
    ord(_CSRF_CHARS[byte % len(_CSRF_CHARS)]) for byte in range(248)
) + bytes(8)
_CSRF_DROPPED = bytes(range(248, 256))
_CSRF_LENGTH = 32


def _random_csrf_string() -> str:
    """32 random characters of the CSRF alphabet, from one ``os.urandom``
    call (Django's ``get_random_string`` makes one per character)."""
    while True:
        drawn = os.urandom(48).translate(_CSRF_TABLE, _CSRF_DROPPED)
        if len(drawn) >= _CSRF_LENGTH:
            return drawn[:_CSRF_LENGTH].decode()


def reader_csrf_secret(request) -> str:
    """Return the reader's CSRF secret, making one (and its cookie, set by
    ``CsrfViewMiddleware`` on the way out) when the request brought none:
    what ``django.middleware.csrf.get_token`` does, without the token."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        secret = _random_csrf_string()
        request.META["CSRF_COOKIE"] = secret
    # As get_token: the cookie is sent again, which renews its expiry.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return secret


def reader_csrf_token(request) -> str:
    """Return a CSRF token for the reader's secret, masked as Django masks
    it (a fresh random mask, so no two pages carry the same string: BREACH),
    and accepted by ``CsrfViewMiddleware`` like one from ``get_token``."""
    secret = reader_csrf_secret(request)
    mask = _random_csrf_string()
    size, chars, index = len(_CSRF_CHARS), _CSRF_CHARS, _CSRF_INDEX
    return mask + "".join(
        chars[(index[s] + index[m]) % size] for s, m in zip(secret, mask, strict=True)
    )


# --- the decorator ---------------------------------------------------------

# Pages this process served lately, by where they were asked for: a hit
# takes the page from here when its generation is still the current one,
# so the shared cache is asked only for the generation. Oldest out first.
_local: dict[str, dict] = {}
LOCAL_PAGES = 200
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def _allowed_cookies() -> set[str]:
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def _cacheable_request(request) -> bool:
    # Signing in takes a session cookie, which is not one of the allowed
    # cookies: a request that passes carries no signed-in user, and
    # request.user (a session read) is never touched.
    if settings.HELPCENTER_PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    return set(request.COOKIES) <= _allowed_cookies()


def _cacheable_response(request, response, *, per_reader: bool) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    if not per_reader and any(
        word in control for word in ("private", "no-store", "no-cache")
    ):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    stored = getattr(request, "_messages", None)
    return stored is None or len(stored) == 0


def _where(request) -> str:
    """Where a page was asked for: what its cache key is made of. The path
    and query as they came (get_full_path would escape them on every hit)."""
    query = request.META.get("QUERY_STRING", "")
    where = (request.scheme, request.get_host(), get_language(), request.path, query)
    return "\n".join(where)


def _key(where: str) -> str:
    return PAGE_KEY.format(digest=hashlib.sha256(where.encode()).hexdigest())


def _split(body: str, needles: dict[str, tuple]) -> tuple[list[bytes], list[tuple]]:
    """Cut ``body`` at every occurrence of a needle: the parts between (as
    UTF-8) and, for each cut, the slot the needle stands for."""
    if not needles:
        return [body.encode()], []
    pattern = "|".join(
        re.escape(needle) for needle in sorted(needles, key=len, reverse=True)
    )
    pieces = re.split(f"({pattern})", body)
    return (
        [piece.encode() for piece in pieces[0::2]],
        [needles[needle] for needle in pieces[1::2]],
    )


def _entry(request, response, generation, until, *, per_reader: bool) -> dict:
    """What the cache keeps of a page: its body cut where per-reader values
    go (the CSRF token, each ``replay`` value and its URL-encoded form), so
    that a hit joins bytes instead of searching the page."""
    body = response.content.decode(response.charset)
    tokened = CSRF_INPUT.search(body) is not None
    if tokened:
        body = CSRF_INPUT.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", body)
    replays = getattr(request, "_pagecache_replays", [])
    needles = {CSRF_PLACEHOLDER: ("csrf",)} if tokened else {}
    for number, (_name, replaces, _with_request, _kwargs) in enumerate(replays):
        olds = (replaces,) if isinstance(replaces, str) else replaces
        for place, old in enumerate(olds):
            if old:
                needles.setdefault(urlencode(old), (number, place, True))
                needles[old] = (number, place, False)
    parts, slots = _split(body, needles)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    headers = [
        (name, value)
        for name, value in response.items()
        if name.lower() not in ("set-cookie", "content-length", "etag", "vary")
    ]
    # A shared cache keys on the cookies, so it never hands a reader's token
    # (or a page for a signed-in user) to another.
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    if "cookie" not in (v.lower() for v in vary):
        vary.append("Cookie")
    headers.append(("Vary", ", ".join(vary)))
    if not per_reader and not tokened:
        headers.append(("ETag", f'"{etag}"'))
    return {
        "generation": generation,
        "parts": parts,
        "slots": slots,
        "encoded": {slot for slot in slots if slot[-1] is True},
        "headers": headers,
        "tokened": tokened,
        "replays": replays,
        "etag": etag,
        "until": until,
        "per_reader": per_reader,
    }


# The functions replays name, imported once.
_replayed = {}


def _values(request, entry: dict, *, replay_effects: bool) -> dict[tuple, str]:
    """Run the page's replays; return the value of each of their places."""
    values = {}
    for number, (name, replaces, with_request, kwargs) in enumerate(entry["replays"]):
        olds = (replaces,) if isinstance(replaces, str) else replaces
        news = ()
        if replay_effects:
            func = _replayed.get(name) or _replayed.setdefault(
                name, import_string(name)
            )
            news = func(request, **kwargs) if with_request else func(**kwargs)
            news = (news,) if isinstance(replaces, str) else news or ()
        for place, old in enumerate(olds):
            new = news[place] if place < len(news) else None
            # Without a new value the page keeps the one it was made with.
            values[number, place] = new if old and new else old
    return values


def _body(request, entry: dict, *, replay_effects: bool) -> bytes:
    """The page for this reader: the kept parts joined with the reader's
    CSRF token and the values the replays return."""
    parts, slots = entry["parts"], entry["slots"]
    # The token first: a replay may read the reader's CSRF secret.
    token = reader_csrf_token(request).encode() if entry["tokened"] else b""
    values = _values(request, entry, replay_effects=replay_effects)
    if not slots:
        return parts[0]
    # Each slot's bytes once: a value may stand in the page many times (the
    # search token is in every result's link).
    fills = {("csrf",): token}
    for (number, place), value in values.items():
        fills[number, place, False] = value.encode()
        if (number, place, True) in entry["encoded"]:
            fills[number, place, True] = urlencode(value).encode()
    pieces = [parts[0]]
    for slot, part in zip(slots, parts[1:], strict=True):
        pieces += (fills[slot], part)
    return b"".join(pieces)


def _serve(request, entry: dict, *, replay_effects: bool):
    body = _body(request, entry, replay_effects=replay_effects)
    response = HttpResponse(body)
    for name, value in entry["headers"]:
        response.headers[name] = value
    if entry["per_reader"]:
        # Each answer is new (a fresh submission key): nothing to revalidate.
        return response
    if entry["tokened"]:
        # The token matches the reader's cookie: so must the ETag, or a 304
        # could keep a page whose token the new cookie refuses.
        secret = request.META.get("CSRF_COOKIE", "")
        etag = salted_hmac("pagecache-etag", entry["etag"] + secret).hexdigest()[:32]
        response.headers["ETag"] = f'"{etag}"'
    if not any(header in request.META for header in CONDITIONAL_HEADERS):
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response)


def _cached(where: str, generation: str, now: float) -> dict | None:
    """Return the page kept for ``where`` in this generation, if still
    fresh: this process's copy, else the shared cache's (then kept here)."""
    entry = _local.get(where)
    if entry is None or entry["generation"] != generation:
        entry = cache.get(_key(where))
        if entry is None or entry["generation"] != generation:
            return None
        _keep(where, entry)
    if entry["until"] is not None and entry["until"] <= now:
        return None
    return entry


def forget_copies() -> None:
    """Drop the pages and the generation this process keeps for itself, as
    if it had just started (the tests, after emptying the caches)."""
    _local.clear()
    _in_process.clear()
    _file_state.update(stamp=None, state=None)
    if sharedcache.uses_redis():
        sharedcache.forget()


def _keep(where: str, entry: dict) -> None:
    _local.pop(where, None)
    if len(_local) >= LOCAL_PAGES:
        _local.pop(next(iter(_local), None), None)
    _local[where] = entry


def public_page(view=None, *, per_reader: bool = False):
    """Serve ``view``'s page from the shared cache to anonymous readers.

    ``per_reader``: the view says ``private``/``no-store`` to browsers
    because its page holds per-reader values, and registers each of them
    with ``replay``: this cache keeps the page and fills them in per reader.
    """
    if view is None:
        return lambda view: public_page(view, per_reader=per_reader)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # The generation is read before the view runs: a page made while an
        # edit commits is kept under the generation before it, and missed.
        generation, until = _state()
        where = _where(request)
        now = _now_ts()
        entry = _cached(where, generation, now)
        if entry is not None:
            return _serve(request, entry, replay_effects=True)
        response = view(request, *args, **kwargs)
        if not _cacheable_response(request, response, per_reader=per_reader):
            return response
        timeout = settings.HELPCENTER_PAGE_CACHE_SECONDS
        hint = getattr(request, "_pagecache_until", None)
        bounds = [b for b in (until, hint, now + timeout) if b is not None]
        until = min(bounds)
        timeout = min(timeout, int(until - now) + 1)
        entry = _entry(request, response, generation, until, per_reader=per_reader)
        if timeout > 0:
            cache.set(_key(where), entry, timeout=timeout)
            _keep(where, entry)
        # The view already ran its side effects for this request.
        return _serve(request, entry, replay_effects=False)

    return wrapped
