import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from articles.models import Article, ArticleVote
from articles.services import VIEW_KEY
from articles.views import VOTER_COOKIE
from tests.factories import make_article, make_category


def url(name, language="zh-hans", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def jsonld(response) -> dict:
    return jsonld_all(response)[0]


def jsonld_all(response) -> list[dict]:
    blocks = re.findall(
        rb'<script type="application/ld\+json">(.*?)</script>', response.content, re.S
    )
    return [json.loads(block) for block in blocks]


# --- the root and the language prefixes -------------------------------------


@pytest.mark.django_db
def test_root_redirects_to_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/"


@pytest.mark.django_db
def test_root_honours_browser_language(client):
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Location"] == "/en/"


# --- home --------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_literal_path_shows_categories_with_counts(client, article):
    make_article(category=article.category, slug="second")
    make_article(category=article.category, slug="english", language="en")
    response = client.get("/zh-hans/")
    assertContains(response, "转账与到账")
    assert [(c.slug, c.article_count) for c in response.context["categories"]] == [
        ("transfers", 2)
    ]
    assertContains(response, article.title)
    assertContains(response, 'action="/zh-hans/search/"')
    assertContains(response, 'href="/zh-hans/contact/"')
    assertContains(response, 'href="/zh-hans/channels/"')


@pytest.mark.django_db
def test_home_page_in_english_shows_english_category_name(client, category):
    make_article(
        category=category,
        slug="fees",
        language="en",
        title="Network fees",
        is_promoted=True,
    )
    response = client.get("/en/")
    assertContains(response, "Transfers")
    assertContains(response, "Network fees")
    assertNotContains(response, "转账与到账")


@pytest.mark.django_db
def test_home_hides_categories_without_visible_articles(
    client, category, draft_article
):
    empty = make_category(slug="empty", name_zh_hans="空分类")
    response = client.get(url("articles:home"))
    assertNotContains(response, empty.name_zh_hans)
    assertNotContains(response, draft_article.title)


@pytest.mark.django_db
def test_home_promoted_and_popular_lists(client, category):
    promoted = make_article(category=category, title="重要公告", is_promoted=True)
    popular = make_article(category=category, title="热门文章", view_count=500)
    response = client.get(url("articles:home"))
    assert [a.pk for a in response.context["promoted"]] == [promoted.pk]
    assert response.context["popular"][0] == popular


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_home_query_count_does_not_grow_with_articles(
    client, category, django_assert_num_queries, language
):
    for _number in range(3):
        make_article(
            category=category, language=language, is_promoted=True, tags=["a", "b"]
        )
    with django_assert_num_queries(4):
        client.get(url("articles:home", language))
    other = make_category(slug="other")
    for _number in range(12):
        make_article(
            category=other, language=language, is_promoted=True, tags=["a", "c"]
        )
    with django_assert_num_queries(4):
        client.get(url("articles:home", language))


# --- category ----------------------------------------------------------------


@pytest.mark.django_db
def test_category_page_literal_path_lists_articles_and_faq_jsonld(client, article):
    response = client.get("/zh-hans/categories/transfers/")
    assertContains(response, "<h1>转账与到账</h1>", html=True)
    assertContains(response, article.title)
    data = jsonld(response)
    assert data["@type"] == "FAQPage"
    assert data["mainEntity"][0]["name"] == article.title
    assert data["mainEntity"][0]["acceptedAnswer"]["text"] == article.summary


@pytest.mark.django_db
def test_category_page_is_paginated(client, category, settings):
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(5):
        make_article(category=category, title=f"第{number}篇")
    response = client.get(url("articles:category", slug=category.slug), {"page": 3})
    assert len(response.context["page"].object_list) == 1
    assertContains(response, 'rel="prev" href="?page=2"')
    bad = client.get(url("articles:category", slug=category.slug), {"page": "x'; drop"})
    assert bad.status_code == 200
    assert bad.context["page"].number == 1


@pytest.mark.django_db
def test_category_page_carries_its_breadcrumb_jsonld(client, article):
    response = client.get(url("articles:category", "en", slug="transfers"))
    breadcrumbs = jsonld_all(response)[-1]
    assert breadcrumbs["@type"] == "BreadcrumbList"
    assert breadcrumbs["itemListElement"] == [
        {
            "@type": "ListItem",
            "position": 1,
            "name": "Help Center",
            "item": "http://testserver/en/",
        },
        {
            "@type": "ListItem",
            "position": 2,
            "name": "Transfers",
            "item": "http://testserver/en/categories/transfers/",
        },
    ]


@pytest.mark.django_db
def test_empty_category_page_has_no_faq_jsonld(client, category):
    # A FAQPage without a question is invalid structured data.
    response = client.get(url("articles:category", slug=category.slug))
    assertContains(response, "该分类下暂无文章。")
    assert [data["@type"] for data in jsonld_all(response)] == ["BreadcrumbList"]


@pytest.mark.parametrize("page", ["٣", "３", "1_0", " 3"])
def test_category_and_tag_pages_read_only_ascii_page_numbers(
    client, category, settings, page
):
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(5):
        make_article(category=category, title=f"第{number}篇", tags=["转账"])
    pages = [
        client.get(url("articles:category", slug=category.slug), {"page": page}),
        client.get(url("articles:tag", slug="转账"), {"page": page}),
    ]
    assert [response.status_code for response in pages] == [200, 200]
    assert [response.context["page"].number for response in pages] == [1, 1]


@pytest.mark.django_db
def test_tag_with_nul_character_is_404(client):
    response = client.get("/zh-hans/tags/%00/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_unknown_category_returns_404_with_search_box(client):
    response = client.get(url("articles:category", slug="nope"))
    assert response.status_code == 404
    assertContains(response, 'name="q"', status_code=404)
    assertContains(response, url("articles:home"), status_code=404)


@pytest.mark.django_db
def test_category_query_count_does_not_grow(
    client, category, django_assert_num_queries
):
    for _number in range(3):
        make_article(category=category, tags=["x"])
    with django_assert_num_queries(4):
        client.get(url("articles:category", slug=category.slug))
    for _number in range(15):
        make_article(category=category, tags=["y"])
    with django_assert_num_queries(4):
        client.get(url("articles:category", slug=category.slug))


# --- article -----------------------------------------------------------------


@pytest.mark.django_db
def test_article_page_literal_path_shows_body_toc_breadcrumbs_and_help(client, article):
    response = client.get("/zh-hans/articles/transfer-not-arrived/")
    assertContains(response, "<h1>转账未到账怎么办</h1>", html=True)
    assertContains(response, '<a href="#先确认网络">先确认网络</a>', html=True)
    assertContains(
        response, '<a href="/zh-hans/categories/transfers/">转账与到账</a>', html=True
    )
    assertContains(
        response,
        "/zh-hans/contact/?article=transfer-not-arrived&amp;category=transfers",
    )
    assertContains(
        response, '<meta property="og:title" content="转账未到账怎么办">', html=True
    )
    assertContains(
        response, f'<meta name="description" content="{article.summary}">', html=True
    )
    assertContains(
        response,
        'rel="canonical" href="http://testserver/zh-hans/articles/transfer-not-arrived/"',
    )
    data, breadcrumbs = jsonld_all(response)
    assert data["@type"] == "Article"
    assert data["headline"] == article.title
    assert data["author"]["name"] == "Cobalt 帮助中心"
    assert [item["item"] for item in breadcrumbs["itemListElement"]] == [
        "http://testserver/zh-hans/",
        "http://testserver/zh-hans/categories/transfers/",
        "http://testserver/zh-hans/articles/transfer-not-arrived/",
    ]


@pytest.mark.django_db
def test_article_page_times_are_valid_html_datetimes_to_the_second(
    client, article, settings
):
    # HTML allows at most three digits of a fraction of a second.
    settings.TIME_ZONE = "Asia/Shanghai"
    Article.objects.filter(pk=article.pk).update(
        updated_at=datetime(2026, 12, 4, 17, 31, 39, 181322, tzinfo=UTC)
    )
    response = client.get(article.get_absolute_url())
    assertContains(response, '<time datetime="2026-12-05T01:31:39+08:00">')
    assert jsonld(response)["dateModified"] == "2026-12-05T01:31:39+08:00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"status": "draft", "published_at": None},
        {"status": "archived"},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "archived", "scheduled"],
)
def test_invisible_article_returns_404(client, category, overrides):
    hidden = make_article(category=category, slug="hidden", **overrides)
    response = client.get(url("articles:detail", slug=hidden.slug))
    assert response.status_code == 404


@pytest.mark.django_db
def test_unknown_article_returns_404(client):
    assert client.get(url("articles:detail", slug="no-such-article")).status_code == 404


@pytest.mark.django_db
def test_article_translations_link_each_other_with_hreflang(client, article):
    english = make_article(
        category=article.category,
        slug="funds-missing",
        language="en",
        title="Transfer not arrived",
        translation_of=article,
    )
    response = client.get(url("articles:detail", slug=article.slug))
    assertContains(
        response, f'hreflang="en" href="http://testserver{english.get_absolute_url()}"'
    )
    assertContains(
        response,
        f'<a href="{english.get_absolute_url()}" hreflang="en" lang="en">English</a>',
        html=True,
    )


@pytest.mark.django_db
def test_other_language_slug_redirects_to_the_translation(client, article):
    english = make_article(
        category=article.category,
        slug="funds-missing",
        language="en",
        translation_of=article,
    )
    response = client.get(url("articles:detail", "en", slug=article.slug))
    assertRedirects(response, english.get_absolute_url(), status_code=301)


@pytest.mark.django_db
def test_article_missing_in_english_falls_back_with_notice(client, article):
    response = client.get(url("articles:detail", "en", slug=article.slug))
    assert response.status_code == 200
    assertContains(response, "not available in your language yet")
    assertContains(response, article.title)
    assertContains(
        response,
        f'rel="canonical" href="http://testserver{article.get_absolute_url()}"',
    )


@pytest.mark.django_db
def test_changed_slug_redirects_permanently(client, article):
    old_url = article.get_absolute_url()
    article.slug = "funds-not-received"
    article.save()
    response = client.get(old_url)
    assertRedirects(response, "/zh-hans/articles/funds-not-received/", status_code=301)


@pytest.mark.django_db
def test_related_articles_share_tags_or_category(client, article):
    shares_tags = make_article(
        category=make_category(), title="同标签", tags=["转账", "到账"]
    )
    same_category = make_article(category=article.category, title="同分类")
    unrelated = make_article(category=make_category(), title="无关", tags=["其他"])
    response = client.get(url("articles:detail", slug=article.slug))
    related = response.context["related"]
    assert related[0] == shares_tags
    assert same_category in related
    assert unrelated not in related


@pytest.mark.django_db
def test_article_query_count_is_pinned(client, article, django_assert_num_queries):
    for _number in range(10):
        make_article(category=article.category, tags=["转账"])
    # The article with its category, its tags, its translations, related,
    # and the incident notices of its category.
    with django_assert_num_queries(5):
        client.get(url("articles:detail", slug=article.slug))
    # A browser that has voted also loads its vote.
    client.post(url("articles:vote", slug=article.slug), {"helpful": "yes"})
    with django_assert_num_queries(6):
        client.get(url("articles:detail", slug=article.slug))


@pytest.mark.django_db
def test_article_view_writes_nothing_per_request(
    client, article, settings, django_assert_num_queries
):
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 1000
    client.get(url("articles:detail", slug=article.slug))
    # Served from the page cache: no query at all, and the view still counts.
    with django_assert_num_queries(0):
        client.get(url("articles:detail", slug=article.slug))
    settings.HELPCENTER_PAGE_CACHE_SECONDS = 0
    with django_assert_num_queries(5):
        client.get(url("articles:detail", slug=article.slug))
    assert Article.objects.get(pk=article.pk).view_count == 0
    assert cache.get(VIEW_KEY.format(article.pk)) == 3


@pytest.mark.django_db
def test_article_head_request_is_not_counted_as_a_view(client, article, settings):
    settings.HELPCENTER_VIEW_FLUSH_EVERY = 1
    assert client.head(url("articles:detail", slug=article.slug)).status_code == 200
    assert Article.objects.get(pk=article.pk).view_count == 0
    client.get(url("articles:detail", slug=article.slug))
    assert Article.objects.get(pk=article.pk).view_count == 1


# --- votes -------------------------------------------------------------------


@pytest.mark.django_db
def test_vote_yes_is_stored_and_thanks_shown(client, article):
    response = client.post(
        url("articles:vote", slug=article.slug), {"helpful": "yes"}, follow=True
    )
    assertContains(response, "感谢您的反馈。")
    assertContains(response, "很高兴能帮到您")
    vote = ArticleVote.objects.get()
    assert vote.is_helpful and vote.article == article
    assert VOTER_COOKIE in client.cookies


@pytest.mark.django_db
def test_article_page_varies_by_cookie_and_is_private_after_a_vote(article):
    reader = Client()
    before = reader.get(article.get_absolute_url())
    reader.post(url("articles:vote", slug=article.slug), {"helpful": "yes"})
    after = reader.get(article.get_absolute_url())
    assert "Cookie" in before["Vary"] and "private" not in before.get(
        "Cache-Control", ""
    )
    assert "Cookie" in after["Vary"] and "private" in after["Cache-Control"]
    assertContains(after, "很高兴能帮到您")


@pytest.mark.django_db
def test_vote_no_offers_reasons_and_contact_form_with_article(client, article):
    response = client.post(
        url("articles:vote", slug=article.slug), {"helpful": "no"}, follow=True
    )
    assertContains(response, 'name="reason"')
    assertContains(response, "/zh-hans/contact/?article=transfer-not-arrived")
    response = client.post(
        url("articles:vote", slug=article.slug),
        {"helpful": "no", "reason": "other", "comment": "步骤里的按钮名字变了"},
        follow=True,
    )
    vote = ArticleVote.objects.get()
    assert (vote.is_helpful, vote.reason, vote.comment) == (
        False,
        "other",
        "步骤里的按钮名字变了",
    )
    assertContains(response, "感谢您的反馈。")


@pytest.mark.django_db
def test_same_browser_votes_once_per_article(client, article):
    vote_url = url("articles:vote", slug=article.slug)
    client.post(vote_url, {"helpful": "yes"})
    client.post(vote_url, {"helpful": "no", "reason": "unclear"})
    assert ArticleVote.objects.count() == 1
    assert ArticleVote.objects.get().reason == "unclear"
    Client().post(vote_url, {"helpful": "yes"})
    assert ArticleVote.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"helpful": "maybe"},
        {"helpful": "no", "reason": "forged"},
        {"helpful": "no", "reason": "other"},
        {"helpful": "no", "reason": "unclear", "comment": "x" * 501},
    ],
)
def test_invalid_vote_returns_400_and_writes_nothing(client, article, data):
    response = client.post(url("articles:vote", slug=article.slug), data)
    assert response.status_code == 400
    assertContains(response, "无法记录您的反馈", status_code=400)
    assert ArticleVote.objects.count() == 0


@pytest.mark.django_db
def test_vote_on_draft_returns_404(client, draft_article):
    response = client.post(
        url("articles:vote", slug=draft_article.slug), {"helpful": "yes"}
    )
    assert response.status_code == 404
    assert ArticleVote.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    ],
)
def test_vote_from_our_own_page_needs_no_token(article, headers):
    # The first answer's form is on the cached page, without a token.
    response = Client(enforce_csrf_checks=True).post(
        url("articles:vote", slug=article.slug), {"helpful": "yes"}, **headers
    )
    assert response.status_code == 302
    assert ArticleVote.objects.get().is_helpful


@pytest.mark.django_db
def test_vote_from_a_trusted_origin_needs_no_token(article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://help.example.com"]
    response = Client(enforce_csrf_checks=True).post(
        url("articles:vote", slug=article.slug),
        {"helpful": "no"},
        HTTP_ORIGIN="https://help.example.com",
    )
    assert response.status_code == 302
    assert ArticleVote.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "http://testserver.evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
    ],
)
def test_vote_sent_from_another_site_is_refused_even_with_a_token(article, headers):
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url("channels:contact"))  # any page that hands out a token
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    ).group(1)
    response = reader.post(
        url("articles:vote", slug=article.slug),
        {"helpful": "no", "csrfmiddlewaretoken": token},
        **headers,
    )
    assert response.status_code == 403
    assertContains(response, "表单已失效", status_code=403)
    assert ArticleVote.objects.count() == 0


@pytest.mark.django_db
def test_vote_saying_nothing_of_its_origin_is_confirmed_with_a_token(article):
    # An old browser (or a script) sends neither header: the answer waits
    # for a page of ours with a token, and is recorded from there.
    reader = Client(enforce_csrf_checks=True)
    vote_url = url("articles:vote", slug=article.slug)
    response = reader.post(vote_url, {"helpful": "no", "reason": "unclear"})
    assert response.status_code == 403
    assert ArticleVote.objects.count() == 0
    page = response.content.decode()
    assert "确认提交反馈" in page and article.title in page
    fields = dict(re.findall(r'name="([a-z]+)" value="([^"]*)"', page))
    assert fields["helpful"] == "no" and fields["reason"] == "unclear"
    reader.cookies.load({"csrftoken": response.cookies["csrftoken"].value})
    confirmed = reader.post(
        vote_url,
        dict(
            fields,
            csrfmiddlewaretoken=re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', page
            ).group(1),
        ),
    )
    assert confirmed.status_code == 302
    vote = ArticleVote.objects.get()
    assert (vote.is_helpful, vote.reason) == (False, "unclear")


@pytest.mark.django_db
def test_vote_with_a_wrong_token_and_no_origin_records_nothing(article):
    reader = Client(enforce_csrf_checks=True)
    reader.cookies.load({"csrftoken": "c" * 32})  # "b" * 64 unmasks to "a" * 32
    response = reader.post(
        url("articles:vote", slug=article.slug),
        {"helpful": "yes", "csrfmiddlewaretoken": "b" * 64},
    )
    assert response.status_code == 403
    assert ArticleVote.objects.count() == 0


# --- tags, feed, sitemap, robots, errors ---------------------------------------


@pytest.mark.django_db
def test_tag_page_lists_articles_with_that_tag(
    client, article, django_assert_num_queries
):
    make_article(category=article.category, title="无标签")
    with django_assert_num_queries(3):
        response = client.get(url("articles:tag", slug="转账"))
    assertContains(response, article.title)
    assertNotContains(response, "无标签")


@pytest.mark.django_db
def test_unknown_tag_returns_404(client):
    assert client.get(url("articles:tag", slug="nope")).status_code == 404


@pytest.mark.django_db
def test_feed_lists_recent_visible_articles_of_the_language(
    client, article, draft_article
):
    english = make_article(
        category=article.category, language="en", title="English only"
    )
    response = client.get("/zh-hans/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assertContains(response, article.title)
    assertNotContains(response, draft_article.title)
    assertNotContains(response, english.title)


@pytest.mark.django_db
def test_sitemap_lists_every_visible_article_in_both_languages(
    client, article, draft_article
):
    english = make_article(category=article.category, language="en", slug="english-one")
    response = client.get("/sitemap.xml")
    assertContains(
        response, "<loc>http://testserver/zh-hans/articles/transfer-not-arrived/</loc>"
    )
    assertContains(
        response, f"<loc>http://testserver{english.get_absolute_url()}</loc>"
    )
    assertContains(response, "<loc>http://testserver/en/categories/transfers/</loc>")
    assertNotContains(response, draft_article.slug)


def test_robots_txt_points_to_sitemap(client):
    response = client.get("/robots.txt")
    assertContains(response, "Sitemap: http://testserver/sitemap.xml")
    assertContains(response, "Disallow: /admin/")


def test_server_error_page_renders_without_request_context(rf):
    from articles.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "出错了" in response.content.decode()
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_public_pages_work_for_both_languages_and_mark_the_language(client, article):
    zh = client.get(url("articles:home"))
    en = client.get(url("articles:home", "en"))
    assertContains(zh, '<html lang="zh-Hans">')
    assertContains(en, '<html lang="en">')
    assertContains(en, "Search the help center")


@pytest.mark.django_db
def test_feed_and_sitemap_query_counts_do_not_grow(
    client, category, django_assert_num_queries
):
    for _number in range(3):
        make_article(category=category, tags=["x"])
    with django_assert_num_queries(1):
        client.get("/zh-hans/feed/")
    # Categories, then the articles' count and page.
    with django_assert_num_queries(3):
        client.get("/sitemap.xml")
    for _number in range(20):
        make_article(category=category, tags=["y"], language="en")
    with django_assert_num_queries(1):
        client.get("/en/feed/")
    with django_assert_num_queries(3):
        client.get("/sitemap.xml")


@pytest.mark.django_db
def test_vote_on_fallback_page_is_recorded_for_the_shown_article(client, article):
    page = client.get(url("articles:detail", "en", slug=article.slug))
    assertContains(page, f'action="{article.get_vote_url()}"')
    response = client.post(article.get_vote_url(), {"helpful": "yes"})
    assertRedirects(
        response,
        article.get_absolute_url() + "#feedback",
        fetch_redirect_response=False,
    )
    assert ArticleVote.objects.get().article == article


@pytest.mark.django_db
def test_public_pages_answer_head_requests(client, article):
    for path in [
        "/zh-hans/",
        article.get_absolute_url(),
        "/zh-hans/channels/",
        "/zh-hans/search/?q=x",
    ]:
        assert client.head(path).status_code == 200


PHRASE_12 = (
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "comment",
    [
        PHRASE_12,
        " ".join(word[:4] for word in PHRASE_12.split()),
        "my private key: " + "1a2b3c4d " * 8,
    ],
    ids=["phrase", "abbreviated", "grouped-hex-key"],
)
def test_vote_comment_with_a_secret_is_refused_and_not_stored(client, article, comment):
    response = client.post(
        url("articles:vote", slug=article.slug),
        {"helpful": "no", "reason": "other", "comment": comment},
    )
    assertContains(response, "似乎包含助记词或私钥，因此未发送", status_code=400)
    assertNotContains(response, comment, status_code=400)
    assert ArticleVote.objects.count() == 0


# --- lists in one language show the other language's untranslated articles ---


def _titles(response) -> list[str]:
    return [article.title for article in response.context["page"].object_list]


@pytest.mark.django_db
def test_english_category_lists_chinese_only_articles_after_english_with_a_badge(
    client, category
):
    english = make_article(category=category, language="en", title="Reset a PIN")
    translated = make_article(category=category, title="已翻译的文章")
    make_article(
        category=category,
        language="en",
        title="Translated article",
        translation_of=translated,
    )
    chinese_only = make_article(category=category, title="只有中文的文章")
    response = client.get(url("articles:category", "en", slug=category.slug))
    assert _titles(response) == [
        "Translated article",
        english.title,
        chinese_only.title,
    ]
    assertContains(response, '<li lang="zh-Hans">', count=1)
    assertContains(response, ">简体中文</span>", count=1)
    assertContains(
        response,
        f'<a href="{chinese_only.get_absolute_url()}" hreflang="zh-Hans">'
        f"{chinese_only.title}</a>",
        html=True,
    )
    assertNotContains(response, translated.title)


@pytest.mark.django_db
def test_chinese_category_lists_english_only_articles_with_a_badge(client, article):
    english_original = make_article(
        category=article.category, language="en", title="Written in English"
    )
    make_article(
        category=article.category,
        title="英文原文的译文",
        translation_of=english_original,
    )
    english_only = make_article(
        category=article.category, language="en", title="Only in English"
    )
    response = client.get(url("articles:category", slug=article.category.slug))
    assert _titles(response)[-1] == english_only.title
    assert english_original.title not in _titles(response)
    assertContains(response, '<li lang="en">', count=1)
    assertContains(response, ">English</span>", count=1)
    # An article in the page's own language carries no badge.
    assertNotContains(response, ">简体中文</span>")


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "archived", "scheduled"])
def test_original_is_listed_while_its_translation_is_not_visible(
    client, category, status
):
    original = make_article(category=category, title="原文")
    values = {"status": status}
    if status == "scheduled":
        values = {"published_at": timezone.now() + timedelta(days=1)}
    make_article(
        category=category,
        language="en",
        title="Hidden translation",
        translation_of=original,
        **values,
    )
    response = client.get(url("articles:category", "en", slug=category.slug))
    assert _titles(response) == [original.title]
    assertNotContains(response, "Hidden translation")


@pytest.mark.django_db
def test_invisible_other_language_articles_are_not_listed(
    client, category, draft_article
):
    make_article(
        category=category,
        title="定时发布",
        published_at=timezone.now() + timedelta(days=1),
    )
    response = client.get(url("articles:category", "en", slug=category.slug))
    assert _titles(response) == []
    assertContains(response, "There are no articles in this topic yet.")


@pytest.mark.django_db
def test_category_pagination_counts_both_languages(client, category, settings):
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(3):
        make_article(category=category, language="en", title=f"English {number}")
    for number in range(2):
        make_article(category=category, title=f"中文{number}")
    pages = [
        client.get(url("articles:category", "en", slug=category.slug), {"page": number})
        for number in (1, 2, 3)
    ]
    assert pages[0].context["page"].paginator.count == 5
    assert [_titles(page) for page in pages] == [
        ["English 2", "English 1"],
        ["English 0", "中文1"],
        ["中文0"],
    ]
    assertContains(pages[1], '<li lang="zh-Hans">', count=1)
    assertContains(pages[2], 'rel="prev" href="?page=2"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page_language", "other_language", "badge"),
    [("en", "zh-hans", '<li lang="zh-Hans">'), ("zh-hans", "en", '<li lang="en">')],
)
def test_tag_page_lists_untranslated_other_language_articles_with_a_badge(
    client, category, page_language, other_language, badge
):
    own = make_article(category=category, language=page_language, tags=["fees"])
    other_only = make_article(category=category, language=other_language, tags=["fees"])
    translated = make_article(category=category, language=other_language, tags=["fees"])
    make_article(
        category=category,
        language=page_language,
        translation_of=translated,
        title="The translation",
        tags=["fees"],
    )
    make_article(category=category, language=other_language, tags=["other"])
    response = client.get(url("articles:tag", page_language, slug="fees"))
    assert _titles(response) == ["The translation", own.title, other_only.title]
    assertContains(response, badge, count=1)


@pytest.mark.django_db
def test_fallback_article_tags_link_to_tag_pages_that_list_it(client, article):
    response = client.get(url("articles:detail", "en", slug=article.slug))
    assert response.context["is_fallback"]
    tag_urls = re.findall(r'href="(/en/tags/[^"]+/)"', response.content.decode())
    assert len(tag_urls) == 2
    for tag_url in tag_urls:
        tag_page = client.get(tag_url)
        assertContains(tag_page, article.title)
        assertContains(tag_page, '<li lang="zh-Hans">', count=1)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_category_and_tag_query_counts_do_not_grow_with_fallbacks(
    client, category, django_assert_num_queries, language
):
    other = "en" if language == "zh-hans" else "zh-hans"
    for _number in range(3):
        make_article(category=category, language=language, tags=["x"])
        make_article(category=category, language=other, tags=["x"])
    with django_assert_num_queries(4):
        client.get(url("articles:category", language, slug=category.slug))
    with django_assert_num_queries(3):
        client.get(url("articles:tag", language, slug="x"))
    for _number in range(15):
        original = make_article(category=category, language=other, tags=["x"])
        make_article(
            category=category, language=language, tags=["x"], translation_of=original
        )
        make_article(category=category, language=other, tags=["x"])
    with django_assert_num_queries(4):
        client.get(url("articles:category", language, slug=category.slug))
    with django_assert_num_queries(3):
        client.get(url("articles:tag", language, slug="x"))
