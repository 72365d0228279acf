from django.conf import settings
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from articles.models import Article, Category
from articles.search import selectors, services
from helpcenter import pagecache
from helpcenter.params import ascii_int


def category_from_param(value: str | None) -> Category | None:
    """Return the category a ``category`` parameter names, or None.

    A value that is not a slug matches nothing and is not looked up: a NUL
    character would make PostgreSQL fail the query.
    """
    if not value or not slug_re.fullmatch(value):
        return None
    return Category.objects.filter(slug=value).first()


def parse_language(value: str | None, default: str | None) -> tuple[bool, str | None]:
    """Return (valid, language) for a ``lang`` parameter; "all" means None."""
    if not value:
        return True, default
    if value == "all":
        return True, None
    return value in {code for code, _name in settings.LANGUAGES}, value


@require_safe
def search(request):
    """The results page. Only the first page of a search is recorded."""
    query = request.GET.get("q", "")
    valid, language = parse_language(request.GET.get("lang"), get_language())
    category = category_from_param(request.GET.get("category"))
    search_page = selectors.search_get_page(
        query=query,
        language=language if valid else get_language(),
        category=category,
        page_number=request.GET.get("page"),
        use_correction=request.GET.get("spell") != "0",
    )
    recorded = None
    if search_page.result.query and request.GET.get("page") in (None, "", "1"):
        recorded = services.search_query_record(
            query=query,
            language=get_language(),
            result_count=search_page.result.total,
        )
        # A cached copy of this page records the search again, with its own token.
        pagecache.replay(
            request,
            services.search_query_record_token,
            replaces=services.search_token(recorded),
            query=query,
            language=get_language(),
            result_count=search_page.result.total,
        )
    return render(
        request,
        "articles/search_results.html",
        {
            "query": search_page.result.query,
            "search": search_page,
            "category": category,
            "lang": request.GET.get("lang", "") if valid else "",
            "token": services.search_token(recorded),
        },
    )


@require_safe
def search_open(request):
    """Redirect to a result, noting it as the search's opened result."""
    slug = request.GET.get("article", "")
    valid, language = parse_language(request.GET.get("lang"), get_language())
    if not (valid and language and slug_re.fullmatch(slug)):
        raise Http404("No such article")
    article = get_object_or_404(
        Article.objects.published(), slug=slug, language=language
    )
    rank = request.GET.get("rank", "")
    services.search_query_record_open(
        token=request.GET.get("t", ""),
        article_id=article.pk,
        rank=ascii_int(rank) if len(rank) < 6 else None,
    )
    return redirect(article.get_absolute_url())
