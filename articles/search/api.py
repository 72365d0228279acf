"""``/api/search``: the instant-search results as JSON.

``GET`` serves the search box. ``POST`` (CSRF-protected, same parameters in
the form-encoded body) serves the contact form's suggestions, so the text a
person is typing into a support request never lands in a URL, where every
proxy and access log would keep it.
"""

from django.http import JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from articles.search import search as run_search, services
from articles.search.forms import MAX_LIMIT, SearchForm, SearchParams
from articles.search.selectors import search_rows
from channels.secrets import contains_secret

# The answers of /api/search, kept word for word: the site's own JavaScript
# and any client written against it read them.
LEGACY_MESSAGES = {
    "lang": "Unknown lang.",
    "limit": f"limit must be a whole number from 1 to {MAX_LIMIT}.",
    "category": "Unknown category.",
}
EMPTY = {"query": "", "corrected_query": None, "total": 0, "results": []}


def search_answer(params: SearchParams, *, record: bool) -> dict:
    """Return ``{"query", "corrected_query", "total", "results": [...]}``.

    ``params`` come from a valid ``SearchForm``. ``record`` gives each
    result an ``open_url`` that records the search when the result is
    opened. The one implementation behind ``/api/search`` and
    ``/api/v1/search``.
    """
    if contains_secret(params.query):
        return dict(EMPTY)
    result = run_search(
        params.query,
        language=params.language,
        category=params.category,
        limit=params.limit,
        prefix=params.prefix,
    )
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
                "url": row.url,
                "snippet": str(row.snippet),
                "category": row.article.category.slug,
                "language": row.article.language,
                "open_url": row.open_url,
                "has_every_word": row.has_every_word,
            }
            for row in search_rows(result, token=token)
        ],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def search(request):
    """Return ``{"query", "corrected_query", "total", "results": [...]}``.

    ``snippet`` is HTML: the article text escaped, with matches in <mark>.
    Searches here are not recorded when made (they fire on every keystroke)
    but when a result is opened through its ``open_url``; suggestions
    (``POST``) are never recorded. A query that looks like a recovery phrase
    or key is not searched, echoed or recorded: the answer is empty. The
    instant box and the contact form's suggestions search as the visitor
    types: the last word is a prefix ("withdr", 转).
    """
    form = SearchForm(
        request.POST if request.method == "POST" else request.GET, instant=True
    )
    if not form.is_valid():
        message = LEGACY_MESSAGES.get(form.first_error_field(), "Bad request.")
        return JsonResponse({"error": message}, status=400)
    answer = search_answer(form.search_params(), record=request.method != "POST")
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
