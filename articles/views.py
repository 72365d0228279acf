import secrets

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.module_loading import import_string
from django.utils.translation import get_language, gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles import selectors, seo, services
from articles.forms import VoteForm
from articles.models import Article, Category
from channels.tickets import notices
from helpcenter import pagecache, sameorigin
from helpcenter.params import page_number

VOTER_COOKIE = "hc_voter"
VOTER_COOKIE_AGE = 365 * 24 * 3600


def _voter(request) -> str:
    token = request.COOKIES.get(VOTER_COOKIE, "")
    return services.voter_hash(token) if token else ""


@require_safe
def home(request):
    language = get_language()
    return render(
        request,
        "articles/home.html",
        {
            "categories": selectors.category_list_with_counts(language=language),
            "promoted": selectors.article_list_promoted(language=language),
            "popular": selectors.article_list_popular(language=language),
            "notices": notices.incident_notice_list_current(now=timezone.now()),
        },
    )


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    articles = selectors.article_list_for_category(
        category=category, language=get_language()
    )
    page = Paginator(articles, settings.HELPCENTER_PAGE_SIZE).get_page(
        page_number(request.GET.get("page"))
    )
    base_url = request.build_absolute_uri("/")[:-1]
    jsonld = [seo.breadcrumb_jsonld(category=category, base_url=base_url)]
    if page.object_list:
        # A FAQPage without a question is invalid structured data.
        jsonld.insert(
            0,
            seo.category_jsonld(
                category=category, articles=list(page), base_url=base_url
            ),
        )
    return render(
        request,
        "articles/category_detail.html",
        {
            "category": category,
            "page": page,
            "jsonld": jsonld,
            "notices": notices.incident_notice_list_for_category(
                category_id=category.pk, now=timezone.now()
            ),
        },
    )


@require_safe
def article_detail(request, slug):
    found = selectors.article_get_for_language(slug=slug, language=get_language())
    if found.redirect_to:
        return redirect(found.redirect_to, permanent=True)
    if found.article is None:
        raise Http404("No such article")
    article = found.article
    if request.method == "GET":
        # A HEAD request (link checkers, monitors) is not a reader.
        services.article_record_view(article_id=article.pk)
        pagecache.replay(request, services.article_record_view, article_id=article.pk)
    vote = selectors.article_get_vote(article=article, voter=_voter(request))
    canonical = request.build_absolute_uri(article.get_absolute_url())
    base_url = request.build_absolute_uri("/")[:-1]
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "is_fallback": found.is_fallback,
            "alternate_urls": found.alternate_urls,
            "canonical_url": canonical,
            "related": selectors.article_list_related(article=article),
            "vote": vote,
            "vote_form": VoteForm(),
            "notices": notices.incident_notice_list_for_category(
                category_id=article.category_id, now=timezone.now()
            ),
            "jsonld": [
                seo.article_jsonld(article=article, url=canonical, base_url=base_url),
                seo.breadcrumb_jsonld(
                    category=article.category, article=article, base_url=base_url
                ),
            ],
        },
    )
    # The page shows this browser's vote: a shared cache must neither keep
    # it nor hand another reader's version out.
    patch_vary_headers(response, ["Cookie"])
    if VOTER_COOKIE in request.COOKIES:
        patch_cache_control(response, private=True)
    return response


# The first answer's form is on every cached article page, without a CSRF
# token (helpcenter/sameorigin.py says why): the browser's word on where
# the POST came from stands in for it, and a request that says nothing is
# checked by its token as usual.
@csrf_exempt
@require_POST
def article_vote(request, slug):
    article = get_object_or_404(
        Article.objects.published(), slug=slug, language=get_language()
    )
    origin = sameorigin.post_origin(request)
    if origin is False:
        return import_string(settings.CSRF_FAILURE_VIEW)(
            request, reason="Vote from another site."
        )
    form = VoteForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "articles/vote_invalid.html",
            {"article": article, "form": form},
            status=400,
        )
    if origin is None and not sameorigin.token_accepted(request):
        # An old browser, or a page we cannot vouch for: the same answer
        # once more, from a page of ours with a token.
        return render(
            request,
            "articles/vote_confirm.html",
            {"article": article, "answer": form.cleaned_data},
            status=403,
        )
    token = request.COOKIES.get(VOTER_COOKIE) or secrets.token_urlsafe(24)
    vote = services.article_vote(
        article=article,
        voter=services.voter_hash(token),
        is_helpful=form.cleaned_data["helpful"] == "yes",
        reason=form.cleaned_data["reason"],
        comment=form.cleaned_data["comment"],
    )
    if vote.is_helpful or vote.reason:
        messages.success(request, _("Thank you for your feedback."))
    response = redirect(article.get_absolute_url() + "#feedback")
    response.set_cookie(
        VOTER_COOKIE,
        token,
        max_age=VOTER_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@require_safe
def tag_detail(request, slug):
    # PostgreSQL fails a query comparing text with NUL; no tag holds one.
    tag = selectors.tag_get(slug=slug) if "\x00" not in slug else None
    if tag is None:
        raise Http404("No such tag")
    articles = selectors.article_list_for_tag(tag=tag, language=get_language())
    page = Paginator(articles, settings.HELPCENTER_PAGE_SIZE).get_page(
        page_number(request.GET.get("page"))
    )
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /*/search/",
        "Disallow: /*/contact/",
        "",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    """The 404 page. It never repeats the requested path, not even in a link:
    an attacker chooses that path (``/zh-hans/请拨打客服热线…/``) and would
    have the site print it. The language switcher leads to each home page."""
    alternate_urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            alternate_urls[code] = reverse("articles:home")
    return render(request, "404.html", {"alternate_urls": alternate_urls}, status=404)


def server_error(request):
    # Rendered without a request context: the failure may be in the very
    # middleware or context processors the context would need. The request
    # id (helpcenter.middleware) lets a reader quote the failure to support.
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponseServerError(loader.get_template("500.html").render(context))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's page (no inline style, which the CSP
    refuses) with the request id to quote, like the 500 page."""
    context = {"request_id": getattr(request, "request_id", "")}
    return HttpResponseForbidden(loader.get_template("403_csrf.html").render(context))
