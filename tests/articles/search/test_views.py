from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import (
    HealthCheck,
    given,
    settings as hypothesis_settings,
    strategies as st,
)
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from articles.search import query as query_module, services
from articles.search.models import SearchQuery, SynonymGroup
from tests.factories import make_article, make_category

# A valid BIP39 phrase: the analytics must never store it.
PHRASE = (
    "abandon abandon abandon abandon abandon abandon "
    "abandon abandon abandon abandon abandon about"
)


def url(name, language="zh-hans"):
    with translation.override(language):
        return reverse(name)


@pytest.fixture
def warm_state(db):
    """Load synonyms and vocabulary, as a running process already has."""
    query_module.current_state()


def test_search_page_literal_path_shows_ranked_highlighted_results(client, article):
    response = client.get("/zh-hans/search/", {"q": "转账"})
    assert response.context["search"].result.total == 1
    assertContains(response, article.title)
    assertContains(response, "<mark>转账</mark>")
    assert [row.article for row in response.context["search"].rows] == [article]


def test_search_page_escapes_snippet_before_marking(client, category):
    make_article(category=category, title="钱包", summary="<b>钱包</b> & 安全")
    response = client.get(url("articles:search"), {"q": "钱包"})
    assertContains(response, "&lt;b&gt;<mark>钱包</mark>&lt;/b&gt; &amp; 安全")
    assertNotContains(response, "<b>钱包</b>")


def test_search_page_pins_query_count(
    client, category, django_assert_num_queries, warm_state
):
    for number in range(4):
        make_article(category=category, title=f"钱包{number}")
    query_module.current_state()
    # matches (counts, then the ranked page of title/tags/summary hits),
    # snippet texts, articles, categories, the other language's matches
    # (none: its counts, or on PostgreSQL its page, which needs no count);
    # the analytics record waits in the cache
    with django_assert_num_queries(6):
        response = client.get(url("articles:search"), {"q": "钱包"})
    assert len(response.context["search"].rows) == 4


def test_search_page_zero_results_offers_popular_and_contact(
    client, category, warm_state, django_assert_num_queries
):
    popular = make_article(
        category=category, language="en", title="Popular", view_count=9
    )
    query_module.current_state()
    # count in each language, popular articles, suggestions (tag names)
    with django_assert_num_queries(4):
        response = client.get(url("articles:search", "en"), {"q": "zzzqqq"})
    assertContains(response, "No articles match your search.")
    assertContains(response, 'value="zzzqqq"')
    assertContains(response, 'href="/en/contact/"')
    assert response.context["search"].popular == [popular]


def test_search_page_shows_correction_and_search_instead_link(client, category):
    make_article(category=category, title="Wallet backup", language="en")
    response = client.get(url("articles:search", "en"), {"q": "walet"})
    assert response.context["search"].corrected_words == ["wallet"]
    assertContains(response, "Showing results for the corrected spelling:")
    assertContains(response, "<strong>wallet</strong>")
    assertContains(response, 'value="walet"')
    assertContains(response, "q=walet&amp;spell=0")
    response = client.get(url("articles:search", "en"), {"q": "walet", "spell": "0"})
    assertContains(response, "No articles match")


def test_search_page_offers_did_you_mean_when_typed_query_has_results(client, category):
    SynonymGroup.objects.create(terms="walet, purse")
    make_article(category=category, title="Purse", language="en")
    make_article(category=category, title="Wallet backup", language="en")
    response = client.get(url("articles:search", "en"), {"q": "walet"})
    search_page = response.context["search"]
    assert [row.article.title for row in search_page.rows] == ["Purse"]
    assert (search_page.suggested_words, search_page.corrected_words) == (
        ["wallet"],
        [],
    )
    assertContains(response, "Did you mean:")
    assertContains(response, 'href="/en/search/?q=wallet">wallet</a>')
    assertNotContains(response, "Showing results for the corrected spelling:")


def test_search_page_never_corrects_a_real_word(client, category):
    make_article(category=category, title="Sport mode", language="en")
    response = client.get(url("articles:search", "en"), {"q": "support"})
    assert response.context["search"].corrected_words == []
    assert response.context["search"].suggested_words == []
    assertContains(response, "No articles match your search.")
    assertNotContains(response, "Showing results for the corrected spelling:")


def test_search_page_filters_by_category_facet(client, category, article):
    other = make_category(slug="other-cat")
    make_article(category=other, title="转账限额")
    response = client.get(url("articles:search"), {"q": "转账"})
    facets = {(facet.slug, count) for facet, count in response.context["search"].facets}
    assert facets == {("other-cat", 1), ("transfers", 1)}
    response = client.get(
        url("articles:search"), {"q": "转账", "category": "other-cat"}
    )
    assert [row.article.category for row in response.context["search"].rows] == [other]
    assert response.context["search"].result.total == 1


def test_search_page_facets_show_a_renamed_category_at_once(client, category, article):
    """The facets' categories are kept per process for the content
    generation: a rename starts a new one, so the next results page (a new
    query, not a cached page) names the category as it is now."""
    response = client.get(url("articles:search"), {"q": "转账"})
    assertContains(response, category.name_zh_hans)
    category.name_zh_hans = "改名后的分类"
    category.save()
    response = client.get(url("articles:search"), {"q": "转账 到账"})
    assert [facet.name for facet, _count in response.context["search"].facets] == [
        "改名后的分类"
    ]
    assertContains(response, "改名后的分类")


def test_search_page_falls_back_to_other_language_marked(client, category):
    make_article(category=category, title="钱包备份")
    response = client.get(url("articles:search", "en"), {"q": "钱包"})
    assert response.context["search"].is_other_language
    assertContains(response, "showing articles in the other language")


def test_search_page_paginates(client, category, settings):
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(5):
        make_article(category=category, title=f"Wallet {number}", language="en")
    response = client.get(url("articles:search", "en"), {"q": "wallet", "page": "3"})
    assert len(response.context["search"].rows) == 1
    assertContains(response, "Page 3 of 3")
    assertContains(response, 'rel="prev" href="?q=wallet&amp;page=2"')
    response = client.get(url("articles:search", "en"), {"q": "wallet", "page": "99"})
    assert response.context["search"].page.number == 3


def test_search_page_lists_matches_only_in_the_other_language(client, category):
    own = make_article(category=category, title="转账说明")
    original = make_article(category=category, title="Transfer limits", language="en")
    translated = make_article(category=category, title="Transfer fees", language="en")
    make_article(category=category, title="转账手续费", translation_of=translated)
    chinese_original = make_article(category=category, title="转账记录")
    make_article(
        category=category,
        title="Transfer history",
        language="en",
        translation_of=chinese_original,
    )
    response = client.get(url("articles:search"), {"q": "转账"})
    search = response.context["search"]
    assert own in [row.article for row in search.rows]
    assert [row.article for row in search.untranslated] == [original]
    assertContains(response, "以下文章只有 English 版本")
    assertContains(response, 'hreflang="en">Transfer limits</a>')
    # Not when every language is searched: they are among the results then.
    response = client.get(url("articles:search"), {"q": "转账", "lang": "all"})
    assert response.context["search"].untranslated == []


def test_search_page_lists_only_other_language_matches_of_every_word(client, category):
    own = make_article(category=category, title="wallet zebra 说明")
    make_article(category=category, title="Wallet guide", language="en")
    response = client.get(url("articles:search"), {"q": "wallet zebra"})
    search = response.context["search"]
    assert [row.article for row in search.rows] == [own]
    # "Wallet guide" has one of the two words: no answer to list.
    assert search.untranslated == []
    assertNotContains(response, "Wallet guide")


def test_search_page_browses_only_the_result_window(
    client, category, settings, monkeypatch
):
    from articles.search import get_backend, selectors

    monkeypatch.setattr(get_backend().backend, "result_window", 4)
    monkeypatch.setattr(selectors, "RESULT_WINDOW", 4)
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(7):
        make_article(category=category, title=f"Wallet {number}", language="en")
    response = client.get(url("articles:search", "en"), {"q": "wallet", "page": "9"})
    search = response.context["search"]
    assert (search.result.total, search.page.number, len(search.rows)) == (7, 2, 2)
    assertContains(response, "7 results")
    assertContains(response, "Page 2 of 2")
    assertContains(response, "Only the best 4 results can be browsed.")
    with translation.override("zh-hans"):
        response = client.get(url("articles:search"), {"q": "wallet", "lang": "en"})
    assertContains(response, "只能浏览最相关的 4 条结果")
    response = client.get(url("articles:search", "en"), {"q": "wallet 6"})
    assertNotContains(response, "can be browsed")


@pytest.mark.parametrize(
    "hostile", ['"', "NEAR(", "\x00", "x" * 10_000, "title:*", "%"]
)
def test_search_page_never_errors_on_hostile_input(client, article, hostile):
    response = client.get(
        url("articles:search"), {"q": hostile, "page": "x", "lang": "zz"}
    )
    assert response.status_code == 200
    assert len(response.context["query"]) <= 200


def test_search_page_hides_drafts_and_scheduled(client, category):
    make_article(category=category, title="钱包草稿", status="draft", published_at=None)
    make_article(
        category=category,
        title="钱包预告",
        published_at=timezone.now() + timedelta(days=1),
    )
    response = client.get(url("articles:search"), {"q": "钱包"})
    assert response.context["search"].result.total == 0
    assert response.context["search"].rows == []


def test_search_records_normalised_query_without_ip(client, article):
    client.get(url("articles:search"), {"q": "  轉帳   "}, REMOTE_ADDR="203.0.113.9")
    assert services.search_flush_analytics() == 1
    recorded = SearchQuery.objects.get()
    assert (recorded.query, recorded.language, recorded.result_count) == (
        "转账",
        "zh-hans",
        1,
    )
    assert "203.0.113.9" not in str(SearchQuery.objects.values().get())


def test_search_never_records_a_recovery_phrase(client, article):
    response = client.get(url("articles:search"), {"q": PHRASE})
    assert response.status_code == 200
    assert services.search_flush_analytics() == 0
    assert SearchQuery.objects.count() == 0


def test_search_records_only_the_first_page(client, article):
    client.get(url("articles:search"), {"q": "转账", "page": "2"})
    assert services.search_flush_analytics() == 0
    assert SearchQuery.objects.count() == 0


def test_search_open_records_opened_result_and_redirects(client, article):
    response = client.get(url("articles:search"), {"q": "转账"})
    link = response.context["search"].rows[0].open_url
    assertContains(response, f'href="{escape(link)}"')
    assert "rank=1&t=" in link
    response = client.get(link)
    assertRedirects(response, article.get_absolute_url(), fetch_redirect_response=False)
    assert SearchQuery.objects.count() == 0
    services.search_flush_analytics()
    recorded = SearchQuery.objects.get()
    assert (recorded.opened_article, recorded.opened_rank) == (article, 1)


def test_search_open_after_flush_updates_the_written_row(client, article):
    response = client.get(url("articles:search"), {"q": "转账"})
    assert services.search_flush_analytics() == 1
    link = response.context["search"].rows[0].open_url
    token = parse_qs(urlsplit(link).query)["t"][0]
    params = {"article": article.slug, "lang": "zh-hans", "rank": "2", "t": token}
    client.get(url("articles:search_open"), params)
    client.get(url("articles:search_open"), params)
    recorded = SearchQuery.objects.get()
    assert (recorded.opened_article, recorded.opened_rank) == (article, 2)
    assert services.search_flush_analytics() == 0


def test_search_open_ignores_forged_token(client, article):
    SearchQuery.objects.create(query="x", language="zh-hans", result_count=1)
    response = client.get(
        url("articles:search_open"),
        {"article": article.slug, "lang": "zh-hans", "t": "1:forged"},
    )
    assert response.status_code == 302
    assert SearchQuery.objects.get().opened_article is None


def test_search_open_unknown_article_returns_404(client, db):
    response = client.get(
        url("articles:search_open"), {"article": "nope", "lang": "zh-hans"}
    )
    assert response.status_code == 404


def test_search_page_zero_results_suggests_close_tag_names(client, category):
    # Staff-written tags of a draft: nothing is found, the tags are offered.
    make_article(category=category, status="draft", tags=["wallet backup", "gas fee"])
    SearchQuery.objects.create(query="wallet backups", language="en", result_count=3)
    response = client.get(url("articles:search", "en"), {"q": "walet bakupzz"})
    assert response.context["search"].suggestions == ["wallet backup"]
    assertContains(response, 'href="/en/search/?q=wallet%20backup"')


@pytest.mark.parametrize("page", ["٣", "３", "³", "1_0", " 3", "+3", "-3", "9" * 40])
def test_search_page_reads_only_ascii_page_numbers(client, category, settings, page):
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(5):
        make_article(category=category, title=f"Wallet {number}", language="en")
    response = client.get(url("articles:search", "en"), {"q": "wallet", "page": page})
    assert response.status_code == 200
    assert response.context["search"].page.number == 1


@given(
    name=st.sampled_from(["page", "category", "lang", "spell"]),
    value=st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
)
@hypothesis_settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_search_page_any_parameter_text_is_never_a_server_error(
    client, article, name, value
):
    response = client.get(url("articles:search"), {"q": "转账", name: value})
    assert response.status_code == 200


@pytest.mark.parametrize("rank", ["²", "١", "1_0", "99999999"])
def test_search_open_ignores_a_rank_that_is_not_ascii_digits(client, article, rank):
    response = client.get(
        reverse("articles:search_open"),
        {"article": article.slug, "lang": article.language, "rank": rank},
    )
    assertRedirects(response, article.get_absolute_url(), fetch_redirect_response=False)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("articles:search", {"q": "转账", "category": "\x00"}),
        ("articles:search", {"q": "转账", "category": "转账"}),
        ("articles:search_open", {"article": "\x00", "lang": "zh-hans"}),
        ("articles:search_open", {"article": "x", "lang": "\x00"}),
        ("articles:search_open", {"article": "x", "lang": "all"}),
    ],
)
def test_search_lookups_never_send_nul_or_non_slugs_to_the_database(
    client, article, name, params
):
    # On PostgreSQL a NUL character in a compared text value fails the query.
    response = client.get(url(name), params)
    assert response.status_code in (200, 404)
    if name == "articles:search":
        assert response.context["category"] is None


@pytest.mark.parametrize(
    "query",
    [
        " ".join(word[:4] for word in PHRASE.split()),
        PHRASE.replace("e", "\u0435"),
        PHRASE.replace(" ", ""),
    ],
    ids=["abbreviated", "look-alike-letters", "run-together"],
)
def test_search_never_records_a_disguised_recovery_phrase(client, article, query):
    response = client.get(url("articles:search"), {"q": query})
    assert response.status_code == 200
    assert SearchQuery.objects.count() == 0


@pytest.fixture
def backend_calls(monkeypatch, db):
    """Count the backend searches a request makes (languages searched)."""
    from articles.search import get_backend

    backend = get_backend()
    calls = []
    original = backend.search

    def counting(query, **kwargs):
        calls.append(kwargs["language"])
        return original(query, **kwargs)

    monkeypatch.setattr(backend, "search", counting)
    return calls


@pytest.mark.parametrize(
    "params",
    [
        {"q": "钱包"},  # results, with the other language's untranslated ones
        {"q": "钱包", "page": "9"},  # past the last page
        {"q": "wallet"},  # nothing in Chinese: the English results instead
        {"q": "zzzqqq"},  # nothing anywhere
        {"q": "walet"},  # a typo, corrected
    ],
)
def test_search_page_makes_at_most_two_backend_searches(
    client, category, backend_calls, params
):
    make_article(category=category, title="钱包备份")
    make_article(category=category, title="Wallet backup", language="en")
    response = client.get(url("articles:search"), params)
    assert response.status_code == 200
    assert 1 <= len(backend_calls) <= 2


def test_search_page_falls_back_to_other_language_in_two_searches(
    client, category, backend_calls
):
    article = make_article(category=category, title="Wallet backup", language="en")
    response = client.get(url("articles:search"), {"q": "wallet"})
    assert response.context["search"].is_other_language
    assert [row.article for row in response.context["search"].rows] == [article]
    assert backend_calls == ["zh-hans", "en"]


def test_search_page_past_last_page_shows_last_page_in_two_searches(
    client, category, backend_calls
):
    article = make_article(category=category, title="钱包备份")
    response = client.get(url("articles:search"), {"q": "钱包", "page": "9"})
    assert [row.article for row in response.context["search"].rows] == [article]
    assert backend_calls == ["zh-hans", "zh-hans"]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Showing results for part of your question"),
        ("zh-hans", "以下结果只匹配了您问题的一部分"),
    ],
)
def test_search_page_says_when_results_match_part_of_the_question(
    client, category, language, sentence
):
    found = make_article(category=category, language=language, title="USDT deposits")
    query = "usdt qqqzzz"
    response = client.get(url("articles:search", language), {"q": query, "spell": "0"})
    assertContains(response, sentence)
    assert [row.article for row in response.context["search"].rows] == [found]
    # Said once, for the whole page: no heading above the results.
    assert response.context["search"].fill_rows == []
    assert found.title not in response.content.decode().partition(sentence)[0]
    # The question stays in the search box only, never in the sentence.
    assertContains(response, query, count=1)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "These articles match part of your question"),
        ("zh-hans", "以下文章只匹配了您问题的一部分"),
    ],
)
def test_search_page_heads_the_articles_matching_part_of_a_long_question(
    client, category, language, heading
):
    # Two articles have every word of a three-word question: they come
    # first, and the one with part of it follows under its own heading.
    full = [
        make_article(
            category=category,
            language=language,
            title=f"Withdrawal pending network {n}",
        )
        for n in range(2)
    ]
    part = make_article(category=category, language=language, title="Withdrawal limits")
    response = client.get(
        url("articles:search", language),
        {"q": "withdrawal pending network", "spell": "0"},
    )
    search = response.context["search"]
    assert {row.article for row in search.first_rows} == set(full)
    assert [row.article for row in search.fill_rows] == [part]
    html = response.content.decode()
    before, _heading, after = html.partition(heading)
    assert _heading and all(article.title in before for article in full)
    assert part.title in after and part.title not in before
    assert '<ol class="search-results" start="3">' in after
    # The page as a whole is not called partial.
    assertNotContains(response, "Showing results for part of your question")
    assertNotContains(response, "以下结果只匹配了您问题的一部分")


def test_search_page_heading_for_part_matches_on_a_page_of_them_alone(
    client, category, settings
):
    settings.HELPCENTER_PAGE_SIZE = 2
    for n in range(2):
        make_article(
            category=category, language="en", title=f"Withdrawal pending network {n}"
        )
    make_article(category=category, language="en", title="Withdrawal limits")
    response = client.get(
        url("articles:search", "en"),
        {"q": "withdrawal pending network", "spell": "0", "page": "2"},
    )
    search = response.context["search"]
    assert search.first_rows == [] and len(search.fill_rows) == 1
    assertContains(response, "These articles match part of your question", count=1)


def test_search_page_full_match_is_not_called_partial(client, article):
    response = client.get(url("articles:search"), {"q": "转账"})
    assertNotContains(response, "以下结果只匹配了您问题的一部分")
    assertNotContains(response, "以下文章只匹配了您问题的一部分")
    assert not response.context["search"].result.is_partial
