"""Article and search pages keep a visitor's text in the search box only."""

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from articles.search import query as query_module, selectors as search_selectors
from articles.search.models import SearchQuery, SynonymGroup
from tests.factories import make_article
from tests.hostile import HOSTILE, assert_not_echoed

# Every parameter any page reads, and a few no page reads, all hostile.
HOSTILE_PARAMS = {
    name: HOSTILE
    for name in ("q", "page", "lang", "category", "article", "subject", "next")
}


def url(name, language="zh-hans", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def search_box_value(response) -> str:
    """The value of the results page's search box, as the browser reads it."""
    field = response.context["query"]
    assert f'value="{field}"' in response.content.decode()
    return field


@pytest.fixture
def warm_state(db):
    query_module.current_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_zero_result_search_keeps_query_in_the_box_only(client, db, language):
    response = client.get(url("articles:search", language), {"q": HOSTILE})
    assert search_box_value(response) == HOSTILE
    assert_not_echoed(response)
    chinese = language == "zh-hans"
    no_match = "没有找到与您的搜索相关的文章。" if chinese else "No articles match"
    assertContains(response, no_match)
    title = "搜索结果" if chinese else "Search results"
    assertContains(response, f"<title>{title}</title>")


def test_zero_result_search_still_offers_popular_articles_and_contact(client, category):
    popular = make_article(category=category, title="热门文章", view_count=9)
    response = client.get(url("articles:search"), {"q": HOSTILE})
    assertContains(response, popular.title)
    assertContains(response, 'href="/zh-hans/contact/"')
    assert_not_echoed(response)


def test_search_with_results_names_no_query_in_heading_title_or_facets(client, article):
    response = client.get(url("articles:search"), {"q": f"转账 {HOSTILE}"})
    assert response.context["search"].result.total == 1
    assertContains(response, article.title)
    assert_not_echoed(response)


def test_search_falling_back_to_the_other_language_names_no_query(client, article):
    response = client.get(url("articles:search", "en"), {"q": f"转账 {HOSTILE}"})
    assert response.context["search"].is_other_language
    assertContains(response, "showing articles in the other language")
    assert_not_echoed(response)


def test_search_windowed_and_paged_names_no_query(
    client, category, settings, monkeypatch
):
    settings.HELPCENTER_PAGE_SIZE = 1
    monkeypatch.setattr(search_selectors, "RESULT_WINDOW", 2)
    for number in range(3):
        make_article(category=category, title=f"钱包{number}")
    response = client.get(url("articles:search"), {"q": f"钱包 {HOSTILE}", "page": 2})
    assertContains(response, "第 2 页")
    assertContains(response, "只能浏览")
    assert_not_echoed(response)


def test_search_correction_names_only_the_corrected_words(client, category):
    make_article(category=category, title="Wallet backup", language="en")
    query_module.current_state()
    response = client.get(url("articles:search", "en"), {"q": f"walet {HOSTILE}"})
    assertContains(response, "Showing results for the corrected spelling:")
    assertContains(response, "<strong>wallet</strong>")
    assertContains(response, "Search for your words exactly as typed")
    assert search_box_value(response) == f"walet {HOSTILE}"
    assert_not_echoed(response)


def test_spelling_suggestion_names_only_the_suggested_words(client, category):
    SynonymGroup.objects.create(terms="walet, purse")
    # Every typed word matches (the tag is not shown on the results page).
    make_article(category=category, title="Purse", language="en", tags=[HOSTILE])
    make_article(category=category, title="Wallet", language="en")
    query_module.current_state()
    response = client.get(url("articles:search", "en"), {"q": f"walet {HOSTILE}"})
    assert response.context["search"].result.total == 1
    assert response.context["search"].suggested_words == ["wallet"]
    assertContains(response, "Did you mean:")
    assert search_box_value(response) == f"walet {HOSTILE}"
    assert_not_echoed(response)


def test_did_you_mean_never_offers_what_other_visitors_searched(client, category):
    make_article(category=category, title="Wallet", language="en", tags=["backup"])
    planted = f"backup {HOSTILE}"
    SearchQuery.objects.bulk_create(
        SearchQuery(query=planted, language="en", result_count=5) for _ in range(50)
    )
    response = client.get(url("articles:search", "en"), {"q": "backupzzz"})
    assert response.context["search"].suggestions == ["backup"]
    assertContains(response, 'href="/en/search/?q=backup"')
    assert_not_echoed(response)


def test_tag_page_for_unknown_tag_is_a_silent_404(client, db):
    response = client.get(url("articles:tag", slug=HOSTILE))
    assert response.status_code == 404
    assert_not_echoed(response)


def test_unknown_category_and_article_are_silent_404s(client, db):
    for name in ("articles:category", "articles:detail"):
        response = client.get(url(name, "en", slug="call-1-888-555-0100-now"))
        assert response.status_code == 404
        assertNotContains(response, "888-555-0100", status_code=404)


@pytest.mark.parametrize("field", ["helpful", "reason"])
def test_invalid_vote_page_does_not_repeat_the_posted_value(client, article, field):
    data = {"helpful": "no", field: HOSTILE}
    response = client.post(url("articles:vote", slug=article.slug), data)
    assert response.status_code == 400
    assertContains(response, "请从列出的选项中选择。", status_code=400)
    assert_not_echoed(response)
    assert article.votes.count() == 0


@pytest.mark.parametrize(
    "name", ["articles:home", "articles:category", "articles:detail", "articles:tag"]
)
def test_article_pages_ignore_hostile_parameters(client, article, name):
    slug = {
        "articles:category": article.category.slug,
        "articles:detail": article.slug,
        "articles:tag": "转账",
    }.get(name)
    kwargs = {"slug": slug} if slug else {}
    for language in ("zh-hans", "en"):
        response = client.get(url(name, language, **kwargs), HOSTILE_PARAMS)
        assert response.status_code == 200
        assert_not_echoed(response)


def test_feed_and_sitemap_ignore_hostile_parameters(client, article):
    for path in (url("articles:feed"), reverse("sitemap"), reverse("robots_txt")):
        response = client.get(path, HOSTILE_PARAMS)
        assert response.status_code == 200
        assert article.slug in response.content.decode() or path == "/robots.txt"
        assert_not_echoed(response)


def test_search_api_errors_are_fixed_text(client, db):
    for params in ({"lang": HOSTILE}, {"limit": HOSTILE}, {"category": HOSTILE}):
        response = client.get(reverse("api:search"), {"q": "x", **params})
        assert response.status_code == 400
        assert HOSTILE not in response.content.decode()
        assert set(response.json()) == {"error"}
