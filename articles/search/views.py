from django.conf import settings
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from articles.models import Article, Category
from articles.search import selectors, services
from articles.search.forms import SearchForm
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


@require_safe
def search(request):
    """The results page. Only the first page of a search is recorded.

    An unusable parameter (an unknown language or category, a bad page)
    is read as its default rather than refused: see ``SearchForm``.
    """
    params = SearchForm(request.GET).search_params()
    search_page = selectors.search_get_page(
        query=params.query,
        language=params.language,
        category=params.category,
        page=params.page,
        use_correction=params.use_correction,
    )
    if search_page.result.query and request.GET.get("page") in (None, "", "1"):
        recorded = services.search_query_record(
            query=params.query,
            language=get_language(),
            result_count=search_page.result.total,
        )
        token = services.search_token(recorded)
        selectors.search_page_link(search_page, token=token)
        # A cached copy of this page records the search again, with its own token.
        pagecache.replay(
            request,
            services.search_query_record_token,
            replaces=token,
            query=params.query,
            language=get_language(),
            result_count=search_page.result.total,
        )
    return render(
        request,
        "articles/search_results.html",
        {
            "query": search_page.result.query,
            "search": search_page,
            "category": params.category,
            "lang": params.lang,
        },
    )


@require_safe
def search_open(request):
    """Redirect to a result, noting it as the search's opened result."""
    slug = request.GET.get("article", "")
    language = request.GET.get("lang") or get_language()
    codes = {code for code, _name in settings.LANGUAGES}
    if not (language in codes and slug_re.fullmatch(slug)):
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
