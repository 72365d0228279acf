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


def _error(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


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
    valid, language = parse_language(params.get("lang"), get_language())
    if not valid:
        return _error("Unknown lang.")
    limit = DEFAULT_LIMIT
    if params.get("limit"):
        limit = ascii_int(params["limit"])
        if limit is None or not 1 <= limit <= MAX_LIMIT:
            return _error(f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    category = category_from_param(params.get("category"))
    if params.get("category") and category is None:
        return _error("Unknown category.")
    query = params.get("q", "")
    if contains_secret(query):
        return JsonResponse(
            {"query": "", "corrected_query": None, "total": 0, "results": []}
        )
    result = run_search(
        query,
        language=language,
        category=category,
        limit=limit,
    )
    rows = search_rows(result)
    token = ""
    if request.method != "POST":
        token = services.instant_search_token(
            query=result.query, language=get_language(), result_count=result.total
        )
    return JsonResponse(
        {
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
        },
        json_dumps_params={"ensure_ascii": False},
    )
