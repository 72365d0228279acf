"""``/api/v1/`` endpoints for categories, articles, search and votes."""

import hashlib
import json

from django.conf import settings
from django.core.validators import slug_re
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.translation import get_language, get_language_from_path, gettext as _
from ninja import Header, Query, Router
from ninja.responses import codes_4xx

from articles import selectors, services
from articles.forms import VoteForm
from articles.models import Article
from articles.schemas import (
    ArticleOut,
    ArticlePage,
    CategoryOut,
    SearchIn,
    SearchOut,
    VoteIn,
    VoteOut,
)
from articles.search.api import search_answer
from articles.search.forms import SearchForm
from articles.search.views import category_from_param
from helpcenter.api_errors import ApiError, ErrorOut, form_errors

router = Router(tags=["articles"])
MAX_PAGE = 10_000
# The app's install id is a random value it keeps; votes store only its
# salted hash, prefixed so it never meets a browser's cookie token.
INSTALL_ID_PREFIX = "app:"


def _language(value: str) -> str:
    if not value:
        return get_language()
    if value not in {code for code, _name in settings.LANGUAGES}:
        raise ApiError.one(400, "invalid", _("Unknown language."), field="lang")
    return value


def _category(value: str):
    if not value:
        return None
    category = category_from_param(value)
    if category is None:
        raise ApiError.one(400, "invalid", _("Unknown category."), field="category")
    return category


def _tag(value: str):
    # Tag slugs may be Chinese; PostgreSQL fails a query holding a NUL.
    tag = selectors.tag_get(slug=value) if value and "\x00" not in value else None
    if value and tag is None:
        raise ApiError.one(400, "invalid", _("Unknown tag."), field="tag")
    return tag


@router.get("/categories", response={200: list[CategoryOut], codes_4xx: ErrorOut})
def category_list(request, lang: str = ""):
    """Every category with visible articles in ``lang``, with their number."""
    language = _language(lang)
    return [
        {
            "slug": category.slug,
            "name": category.name,
            "description": category.description,
            "icon": category.icon,
            "article_count": category.article_count,
            "url": category.get_absolute_url(),
        }
        for category in selectors.category_list_with_counts(language=language)
    ]


@router.get("/articles", response={200: ArticlePage, codes_4xx: ErrorOut})
def article_list(
    request,
    lang: str = "",
    category: str = "",
    tag: str = "",
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    """Published articles, newest first, ``HELPCENTER_PAGE_SIZE`` a page.

    ``has_next`` says whether another page follows (no total is counted).
    """
    articles = selectors.article_list_for_api(
        language=_language(lang), category=_category(category), tag=_tag(tag)
    )
    size = settings.HELPCENTER_PAGE_SIZE
    rows = list(articles[(page - 1) * size : page * size + 1])
    return {
        "results": [
            {
                "slug": article.slug,
                "language": article.language,
                "title": article.title,
                "summary": article.summary,
                "category": article.category.slug,
                "url": article.get_absolute_url(),
                "published_at": article.published_at,
                "updated_at": article.updated_at,
            }
            for article in rows[:size]
        ],
        "page": page,
        "has_next": len(rows) > size,
    }


def _slug_of(url: str) -> tuple[str, str]:
    """Return ``(slug, language)`` of an article page's path."""
    language = get_language_from_path(url) or ""
    # The language prefix resolves only while its language is active.
    with translation.override(language):
        return resolve(url).kwargs["slug"], language


def _article_body(article: Article, *, is_fallback: bool, alternates: dict) -> dict:
    translations = []
    for code, url in alternates.items():
        slug, _code = _slug_of(url)
        translations.append({"language": code, "slug": slug, "url": url})
    return {
        "slug": article.slug,
        "language": article.language,
        "title": article.title,
        "summary": article.summary,
        "body_html": str(article.body_html),
        "toc_html": str(article.toc_html),
        "category": {"slug": article.category.slug, "name": article.category.name},
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in article.tags.all()],
        "translations": translations,
        "is_fallback": is_fallback,
        "url": article.get_absolute_url(),
        "published_at": article.published_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
    }


@router.get(
    "/articles/{slug}",
    response={200: ArticleOut, 301: None, 304: None, codes_4xx: ErrorOut},
)
def article_detail(
    request,
    slug: str,
    lang: str = "",
    if_none_match: str = Header("", alias="If-None-Match"),
):
    """One published article: the HTML rendered from its Markdown, its
    summary, tags and translations.

    Resolved as the page resolves it: an article in another language with
    this slug answers when ``lang`` has no version of it (``is_fallback``);
    a translation with its own slug, or an old slug, answers 301 with the
    API address of the article. Send the ``ETag`` back in ``If-None-Match``
    to get 304 when nothing changed.
    """
    language = _language(lang)
    if not slug_re.fullmatch(slug):
        raise ApiError.one(404, "not_found", _("Not found."))
    found = selectors.article_get_for_language(slug=slug, language=language)
    if found.redirect_to:
        target, target_language = _slug_of(found.redirect_to)
        response = HttpResponse(status=301)
        response["Location"] = (
            reverse("api-v1:article_detail", kwargs={"slug": target})
            + f"?lang={target_language}"
        )
        return response
    if found.article is None:
        raise ApiError.one(404, "not_found", _("Not found."))
    body = _article_body(
        found.article, is_fallback=found.is_fallback, alternates=found.alternate_urls
    )
    content = json.dumps(body, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    if etag in [part.strip() for part in if_none_match.split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    services.article_record_view(article_id=found.article.pk)
    response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    return response


@router.get("/search", response={200: SearchOut, codes_4xx: ErrorOut})
def search(request, params: Query[SearchIn]):
    """The search box's results, as ``GET /api/search`` gives them.

    ``lang`` may be ``all``; ``limit`` is 1 to 20 (8 by default). A query
    that looks like a recovery phrase or key is not searched or recorded:
    the answer is empty. ``SearchForm`` reads the parameters, as it does
    for the results page and ``/api/search``.
    """
    form = SearchForm(params.dict())
    if not form.is_valid():
        raise ApiError(400, form_errors(form))
    return search_answer(form.search_params(), record=True)


@router.post("/articles/{slug}/votes", response={200: VoteOut, codes_4xx: ErrorOut})
def article_vote(
    request,
    slug: str,
    payload: VoteIn,
    lang: str = "",
    install_id: str = Header(..., alias="X-Install-Id", min_length=16, max_length=128),
):
    """Answer "Was this helpful?" for one article, as the page's widget does.

    One answer per app install (``X-Install-Id``: a random value of 16 to
    128 characters the app keeps): voting again replaces it.
    """
    language = _language(lang)
    article = None
    if slug_re.fullmatch(slug):
        article = (
            Article.objects.published().filter(slug=slug, language=language).first()
        )
    if article is None:
        raise ApiError.one(404, "not_found", _("Not found."))
    form = VoteForm(payload.dict())
    if not form.is_valid():
        raise ApiError(400, form_errors(form))
    vote = services.article_vote(
        article=article,
        voter=services.voter_hash(INSTALL_ID_PREFIX + install_id),
        is_helpful=form.cleaned_data["helpful"] == "yes",
        reason=form.cleaned_data["reason"],
        comment=form.cleaned_data["comment"],
    )
    return {"helpful": vote.is_helpful, "reason": vote.reason, "comment": vote.comment}
