"""Full-page cache for anonymous readers of the public pages.

``public_page`` (applied to a view in its ``urls.py``) keeps each rendered
page in the configured cache (Redis in production, so every app server
shares it; local memory otherwise), per language, host and full path, and
answers the next anonymous reader from it with no database query.

Invalidation: every key holds the content *generation*. Any save, delete or
many-to-many change of a model a public page may show (everything except
the high-churn private rows in ``UNSHOWN``) starts a new generation at once
and again when its transaction commits, so the next reader after a staff
edit sees the edit, on every app server. Time also changes pages: a
scheduled article goes live, an incident notice starts or ends. The state
key stores the earliest such moment after the generation began; no page
outlives it, and the first reader after it starts a new generation. A view
whose page changes at other moments (a channel opening) says so with
``expires_by``.

The generation must be seen by every process that serves pages for an edit
to reach them all. With Redis it lives there with the pages. With the
local-memory cache (no ``REDIS_URL``) each gunicorn worker keeps its own
pages, but the generation lives in the ``shared`` file cache, so an edit
made through one worker (or ``manage.py``) is seen by every other worker on
its next request.

Never cached: other methods than GET, staff and signed-in users, any
request carrying a cookie other than the CSRF and language cookies (a
session, messages, a voter cookie: the page may depend on it), responses
other than 200, streaming ones, ones that set a cookie, touch the session,
carry messages or say ``private``/``no-store``/``no-cache``.

CSRF (the article's vote form, the checker's forms): a cached page must not
hand one reader's token to another, and forms must keep working without
JavaScript. The cache stores the page with each token replaced by a
placeholder, and each answer puts in a fresh token for *this* reader
(``get_token``, which also sets the reader's CSRF cookie as an uncached page
would). So every reader gets a working form with a token of their own,
while the expensive part, rendering, happens once. Every answer has
``Vary: Cookie``; the ETag of a page with a form covers the reader's CSRF secret,
so a 304 never keeps a page whose token would not match the cookie.

Per-request side effects of a view (an article's view count, the search
analytics) are registered with ``replay`` and run again on every hit.

Conditional GET: each cached page has an ETag; ``If-None-Match`` with it
answers 304.
"""

import contextvars
import datetime
import hashlib
import re
import secrets
import time
from functools import wraps

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache, caches
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
from django.middleware.csrf import get_token
from django.template.defaultfilters import urlencode
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_vary_headers,
)
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import get_language

STATE_KEY = "pagecache:state"
PAGE_KEY = "pagecache:page:{generation}:{digest}"
# What Django's {% csrf_token %} renders; the value is the reader's token.
CSRF_INPUT = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(")')
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
        _state_cache().delete(STATE_KEY)
        state = ("", None)
    else:
        state = (secrets.token_hex(8), _next_change(timezone.now()))
        _state_cache().set(STATE_KEY, state, timeout=None)
    holder = _request_state.get()
    if holder is not None:
        # A change made by this request is seen by the rest of it.
        holder["state"] = state
    return state


def _state() -> tuple[str, float | None]:
    """Return (generation, next change) of the content, starting a new
    generation when there is none or its next change has come. Read once
    per request."""
    holder = _request_state.get()
    if holder is not None and "state" in holder:
        return holder["state"]
    state = _state_cache().get(STATE_KEY)
    if state is None or not state[0] or (state[1] is not None and state[1] <= _now_ts()):
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
    _state_cache().delete(STATE_KEY)


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


# --- the decorator ---------------------------------------------------------


def _allowed_cookies() -> set[str]:
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def _cacheable_request(request) -> bool:
    if settings.HELPCENTER_PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    if not set(request.COOKIES) <= _allowed_cookies():
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _cacheable_response(request, response, *, per_reader: bool) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    if not per_reader and any(
        word in control for word in ("private", "no-store", "no-cache")
    ):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    stored = getattr(request, "_messages", None)
    return stored is None or len(stored) == 0


def _key(request, generation: str) -> str:
    where = "\n".join(
        (request.scheme, request.get_host(), get_language(), request.get_full_path())
    )
    digest = hashlib.sha256(where.encode()).hexdigest()
    return PAGE_KEY.format(generation=generation, digest=digest)


def _entry(request, response, until: float | None, *, per_reader: bool) -> dict:
    body = response.content.decode(response.charset)
    tokened = CSRF_INPUT.search(body) is not None
    if tokened:
        body = CSRF_INPUT.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", body)
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() not in ("set-cookie", "content-length", "etag")
    }
    return {
        "body": body,
        "headers": headers,
        "tokened": tokened,
        "replays": getattr(request, "_pagecache_replays", []),
        "etag": hashlib.sha256(body.encode()).hexdigest()[:32],
        "until": until,
        "per_reader": per_reader,
    }


def _serve(request, entry: dict, *, replay_effects: bool):
    body = entry["body"]
    for name, replaces, with_request, kwargs in (
        entry["replays"] if replay_effects else ()
    ):
        func = import_string(name)
        values = func(request, **kwargs) if with_request else func(**kwargs)
        if isinstance(replaces, str):
            replaces, values = (replaces,), (values,)
        for old, new in zip(replaces, values or (), strict=False):
            if old and new:
                body = body.replace(old, new).replace(urlencode(old), urlencode(new))
    etag = entry["etag"]
    if entry["tokened"]:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
        secret = request.META.get("CSRF_COOKIE", "")
        etag = salted_hmac("pagecache-etag", etag + secret).hexdigest()[:32]
    response = HttpResponse(body)
    for name, value in entry["headers"].items():
        response[name] = value
    if entry["per_reader"]:
        # Each answer is new (a fresh submission key): nothing to revalidate.
        patch_vary_headers(response, ["Cookie"])
        return response
    response["ETag"] = f'"{etag}"'
    # A shared cache keys on the cookies, so it never hands a reader's token
    # (or a page for a signed-in user) to another.
    patch_vary_headers(response, ["Cookie"])
    return get_conditional_response(request, etag=response["ETag"], response=response)


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
        generation, until = _state()
        key = _key(request, generation)
        entry = cache.get(key)
        now = _now_ts()
        if entry is not None and (entry["until"] is None or entry["until"] > now):
            return _serve(request, entry, replay_effects=True)
        response = view(request, *args, **kwargs)
        if not _cacheable_response(request, response, per_reader=per_reader):
            return response
        hint = getattr(request, "_pagecache_until", None)
        bounds = [b for b in (until, hint) if b is not None]
        until = min(bounds) if bounds else None
        timeout = settings.HELPCENTER_PAGE_CACHE_SECONDS
        if until is not None:
            timeout = min(timeout, int(until - now) + 1)
        entry = _entry(request, response, until, per_reader=per_reader)
        if timeout > 0:
            cache.set(key, entry, timeout=timeout)
        # The view already ran its side effects for this request.
        return _serve(request, entry, replay_effects=False)

    return wrapped
