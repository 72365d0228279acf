import json

import pytest
from django.urls import reverse
from hypothesis import (
    HealthCheck,
    given,
    settings as hypothesis_settings,
    strategies as st,
)

from articles.search import services
from tests.factories import make_article


def test_api_search_literal_path_returns_documented_shape(client, article):
    response = client.get("/api/search", {"q": "转账", "lang": "zh-hans"})
    assert response.status_code == 200
    body = json.loads(response.content)
    open_url = body["results"][0].pop("open_url")
    assert open_url.startswith("/zh-hans/search/open/?article=transfer-not-arrived")
    assert body == {
        "query": "转账",
        "corrected_query": None,
        "total": 1,
        "results": [
            {
                "slug": "transfer-not-arrived",
                "title": "转账未到账怎么办",
                "url": "/zh-hans/articles/transfer-not-arrived/",
                "snippet": "<mark>转账</mark>显示成功但对方没有收到时的排查步骤。",
                "category": "transfers",
                "language": "zh-hans",
                "has_every_word": True,
            }
        ],
    }


def test_api_search_marks_articles_matching_part_of_a_long_question(client, category):
    full = make_article(
        category=category, language="en", title="Withdrawal pending network"
    )
    part = make_article(category=category, language="en", title="Withdrawal limits")
    body = client.get(
        "/api/v1/search", {"q": "withdrawal pending network", "lang": "en"}
    ).json()
    assert [(hit["slug"], hit["has_every_word"]) for hit in body["results"]] == [
        (full.slug, True),
        (part.slug, False),
    ]


def test_api_search_reports_correction_and_limit(client, category):
    for number in range(3):
        make_article(category=category, title=f"Wallet {number}", language="en")
    data = client.get(
        reverse("api:search"), {"q": "walet", "lang": "en", "limit": "2"}
    ).json()
    assert (data["corrected_query"], data["total"], len(data["results"])) == (
        "wallet",
        3,
        2,
    )


def test_api_search_filters_by_category(client, article):
    make_article(title="转账限额")
    data = client.get(
        reverse("api:search"), {"q": "转账", "category": "transfers"}
    ).json()
    assert [result["slug"] for result in data["results"]] == [article.slug]


@pytest.mark.parametrize(
    "params",
    [
        {"lang": "fr"},
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "500"},
        {"limit": "²"},
        {"limit": "١٢"},
        {"limit": "５"},
        {"limit": "1_0"},
        {"limit": " 5"},
        {"limit": "+5"},
        {"limit": "-1"},
        {"limit": "9" * 5000},
        {"category": "nope"},
        {"category": "\x00"},
        {"category": "转账"},
    ],
)
def test_api_search_rejects_bad_parameters(client, article, params):
    response = client.get(reverse("api:search"), {"q": "转账", **params})
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize("hostile", ['"', "NEAR(", "\x00", "x" * 10_000, "' OR 1=1 --"])
def test_api_search_blank_or_hostile_query_is_empty_not_error(client, article, hostile):
    data = client.get(reverse("api:search"), {"q": hostile}).json()
    assert data["total"] == 0 and data["results"] == []


def test_api_search_does_not_record_keystrokes(client, article):
    from articles.search.models import SearchQuery

    client.get(reverse("api:search"), {"q": "转账"})
    assert SearchQuery.objects.count() == 0


def test_api_search_records_a_search_when_its_result_is_opened(client, article):
    from articles.search.models import SearchQuery

    body = client.get(reverse("api:search"), {"q": " 转账 ", "lang": "zh-hans"}).json()
    assert SearchQuery.objects.count() == 0
    response = client.get(body["results"][0]["open_url"])
    assert response.status_code == 302 and response.url == article.get_absolute_url()
    assert SearchQuery.objects.count() == 0
    assert services.search_flush_analytics() == 1
    recorded = SearchQuery.objects.get()
    assert (recorded.query, recorded.language) == ("转账", "zh-hans")
    assert recorded.result_count == 1
    assert (recorded.opened_article, recorded.opened_rank) == (article, 1)


def test_api_search_open_link_cannot_be_forged_or_carry_a_secret(client, article):
    from articles.search.models import SearchQuery

    body = client.get(reverse("api:search"), {"q": "转账", "lang": "zh-hans"}).json()
    forged = body["results"][0]["open_url"].replace("t=", "t=x")
    assert client.get(forged).status_code == 302
    phrase = " ".join(["abandon"] * 11 + ["about"])
    secret = client.get(reverse("api:search"), {"q": f"转账 {phrase}"}).json()
    # Not searched, not echoed, no token that could carry it into a URL.
    assert secret == {"query": "", "corrected_query": None, "total": 0, "results": []}
    assert SearchQuery.objects.count() == 0


def test_api_search_limit_message_names_the_range(client, article):
    response = client.get(reverse("api:search"), {"q": "转账", "limit": "²"})
    assert response.json() == {"error": "limit must be a whole number from 1 to 20."}


PARAMETER_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"]),
    max_size=40,
) | st.sampled_from(["²", "١٢", "٣", "𝟗", "1_0", "0", "99999999999999999999"])


@given(name=st.sampled_from(["limit", "lang", "category", "q"]), value=PARAMETER_TEXT)
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api_search_any_parameter_text_is_never_a_server_error(
    client, article, name, value
):
    response = client.get(reverse("api:search"), {"q": "转账", name: value})
    assert response.status_code in (200, 400)
    assert "error" in response.json() or "results" in response.json()


def test_api_search_by_post_answers_without_query_in_url_or_token(client, article):
    from articles.search.models import SearchQuery

    response = client.post(reverse("api:search"), {"q": "转账", "lang": "zh-hans"})
    body = response.json()
    assert [hit["slug"] for hit in body["results"]] == ["transfer-not-arrived"]
    # Suggestions are never recorded: the link is the article itself.
    assert body["results"][0]["open_url"] == "/zh-hans/articles/transfer-not-arrived/"
    assert SearchQuery.objects.count() == 0


def test_api_search_by_post_needs_the_csrf_token(article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("api:search"), {"q": "转账", "lang": "zh-hans"})
    assert response.status_code == 403


def test_api_search_by_post_refuses_a_phrase_without_echo(client, article):
    phrase = (
        "legal winner thank year wave sausage worth useful legal winner thank yellow"
    )
    response = client.post(reverse("api:search"), {"q": phrase, "lang": "en"})
    assert response.json() == {
        "query": "",
        "corrected_query": None,
        "total": 0,
        "results": [],
    }
    assert "legal" not in response.content.decode()


def test_api_search_matches_the_word_being_typed_as_a_prefix(client, category):
    make_article(category=category, title="转账未到账", slug="transfer-late")
    make_article(
        category=category, language="en", title="Withdrawal pending", slug="withdrawal"
    )
    for query, language, slug in [
        ("转", "zh-hans", "transfer-late"),
        ("withdr", "en", "withdrawal"),
    ]:
        response = client.get(reverse("api:search"), {"q": query, "lang": language})
        body = json.loads(response.content)
        assert (response.status_code, [row["slug"] for row in body["results"]]) == (
            200,
            [slug],
        )
    # The search page searches whole words.
    page = client.get("/en/search/", {"q": "withdr", "spell": "0"})
    assert page.context["search"].result.total == 0
