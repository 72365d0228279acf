"""``/api/search``: the instant-search results as JSON.

``GET`` serves the search box. ``POST`` (CSRF-protected, same parameters in
the form-encoded body) serves the contact form's suggestions, so the text a
person is typing into a support request never lands in a URL, where every
proxy and access log would keep it.
"""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from articles.search import search as run_search, services
from articles.search.selectors import search_rows
from articles.search.views import category_from_param, parse_language
from channels.secrets import contains_secret
from helpcenter.params import ascii_int

DEFAULT_LIMIT = 8
MAX_LIMIT = 20


def _open_url(row, token: str) -> str:
    """The link that opens a result and records the search that found it."""
    if not token:
        return row.article.get_absolute_url()
    query = urlencode(
        {
            "article": row.article.slug,
            "lang": row.article.language,
            "rank": row.rank,
            "t": token,
        }
    )
    return f"{reverse('articles:search_open')}?{query}"


class SearchParamError(ValueError):
    """A search parameter that cannot be used; ``field`` and ``code`` say which."""

    def __init__(self, *, field: str, code: str):
        super().__init__(field, code)
        self.field = field
        self.code = code


# The answers of /api/search, kept word for word: the site's own JavaScript
# and any client written against it read them.
LEGACY_MESSAGES = {
    "lang": "Unknown lang.",
    "limit": f"limit must be a whole number from 1 to {MAX_LIMIT}.",
    "category": "Unknown category.",
}
EMPTY = {"query": "", "corrected_query": None, "total": 0, "results": []}


def search_answer(params, *, record: bool, prefix: bool = False) -> dict:
    """Return ``{"query", "corrected_query", "total", "results": [...]}``.

    ``params`` maps ``q``, ``lang``, ``category`` and ``limit`` to strings
    (a QueryDict or a dict). Raises ``SearchParamError`` for an unknown
    language or category or a bad limit. ``record`` gives each result an
    ``open_url`` that records the search when the result is opened;
    ``prefix`` matches the last word as typed so far (see ``search()``). The one
    implementation behind ``/api/search`` and ``/api/v1/search``.
    """
    valid, language = parse_language(params.get("lang"), get_language())
    if not valid:
        raise SearchParamError(field="lang", code="invalid")
    limit = DEFAULT_LIMIT
    if params.get("limit"):
        limit = ascii_int(str(params["limit"]))
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            raise SearchParamError(field="limit", code="invalid")
    category = category_from_param(params.get("category"))
    if params.get("category") and category is None:
        raise SearchParamError(field="category", code="invalid")
    query = params.get("q", "")
    if contains_secret(query):
        return dict(EMPTY)
    result = run_search(
        query, language=language, category=category, limit=limit, prefix=prefix
    )
    rows = search_rows(result)
    token = ""
    if record:
        token = services.instant_search_token(
            query=result.query, language=get_language(), result_count=result.total
        )
    return {
        "query": result.query,
        "corrected_query": result.corrected_query,
        "total": result.total,
        "results": [
            {
                "slug": row.article.slug,
                "title": row.article.title,
                "url": row.article.get_absolute_url(),
                "snippet": str(row.snippet),
                "category": row.article.category.slug,
                "language": row.article.language,
                "open_url": _open_url(row, token),
            }
            for row in rows
        ],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def search(request):
    """Return ``{"query", "corrected_query", "total", "results": [...]}``.

    ``snippet`` is HTML: the article text escaped, with matches in <mark>.
    Searches here are not recorded when made (they fire on every keystroke)
    but when a result is opened through its ``open_url``; suggestions
    (``POST``) are never recorded. A query that looks like a recovery phrase
    or key is not searched, echoed or recorded: the answer is empty.
    """
    params = request.POST if request.method == "POST" else request.GET
    try:
        # The instant box and the contact form's suggestions search as the
        # visitor types: the last word is a prefix ("withdr", 转).
        answer = search_answer(params, record=request.method != "POST", prefix=True)
    except SearchParamError as error:
        return JsonResponse({"error": LEGACY_MESSAGES[error.field]}, status=400)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
