import json

import pytest
from django.urls import reverse

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
            }
        ],
    }


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
        {"category": "nope"},
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
