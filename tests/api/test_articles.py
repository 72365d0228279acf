import pytest
from django.urls import reverse

from articles.models import ArticleVote
from tests.factories import make_article, make_category

ZH_MESSAGE_MARK = "语言"


def test_api_urls_are_pinned():
    assert reverse("api-v1:category_list") == "/api/v1/categories"
    assert reverse("api-v1:article_list") == "/api/v1/articles"
    assert reverse("api-v1:search") == "/api/v1/search"


def test_categories_list_those_with_articles_and_their_counts(client, article):
    make_category(slug="empty", name_zh_hans="空")

    response = client.get(reverse("api-v1:category_list"), {"lang": "zh-hans"})

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "transfers",
            "name": "转账与到账",
            "description": "",
            "icon": "",
            "article_count": 1,
            "url": "/zh-hans/categories/transfers/",
        }
    ]


def test_categories_name_follows_accept_language(client, article):
    response = client.get(
        reverse("api-v1:category_list"), {"lang": "zh-hans"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()[0]["name"] == "Transfers"


def test_article_list_shows_published_articles_only(client, article, draft_article):
    make_article(category=article.category, slug="english-one", language="en")

    response = client.get(reverse("api-v1:article_list"), {"lang": "zh-hans"})

    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body["results"]] == ["transfer-not-arrived"]
    assert body["results"][0]["category"] == "transfers"
    assert body["results"][0]["url"] == "/zh-hans/articles/transfer-not-arrived/"
    assert body["page"] == 1 and body["has_next"] is False


def test_article_list_filters_by_category_and_tag(client, article):
    other = make_category(slug="security", name_zh_hans="安全")
    make_article(category=other, slug="secure-wallet", tags=["安全"])
    url = reverse("api-v1:article_list")

    by_category = client.get(url, {"category": "security"}).json()
    by_tag = client.get(url, {"tag": article.tags.first().slug}).json()

    assert [item["slug"] for item in by_category["results"]] == ["secure-wallet"]
    assert [item["slug"] for item in by_tag["results"]] == ["transfer-not-arrived"]


def test_article_list_pages(client, category, settings):
    settings.HELPCENTER_PAGE_SIZE = 2
    for number in range(3):
        make_article(category=category, slug=f"article-{number}")
    url = reverse("api-v1:article_list")

    first = client.get(url).json()
    second = client.get(url, {"page": 2}).json()

    assert len(first["results"]) == 2 and first["has_next"] is True
    assert len(second["results"]) == 1 and second["has_next"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lang": "fr"}, "lang"),
        ({"category": "nope"}, "category"),
        ({"category": "bad\x00slug"}, "category"),
        ({"tag": "nope"}, "tag"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
    ],
)
def test_article_list_refuses_bad_parameters(client, article, params, field):
    response = client.get(reverse("api-v1:article_list"), params)

    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == "invalid"


def test_error_message_follows_accept_language(client, db):
    url = reverse("api-v1:article_list")

    english = client.get(url, {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(url, {"lang": "fr"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert english["errors"]["lang"][0]["message"] == "Unknown language."
    assert ZH_MESSAGE_MARK in chinese["errors"]["lang"][0]["message"]


def test_article_list_query_count_does_not_grow(
    client, category, django_assert_num_queries
):
    url = reverse("api-v1:article_list")
    make_article(category=category, slug="first")
    with django_assert_num_queries(2):  # category, one page
        client.get(url, {"category": category.slug})
    for number in range(25):
        make_article(category=category, slug=f"more-{number}", tags=["x"])
    with django_assert_num_queries(2):
        response = client.get(url, {"category": category.slug})
    assert len(response.json()["results"]) == 20


def test_categories_query_count_does_not_grow(
    client, article, django_assert_num_queries
):
    for number in range(10):
        make_article(category=make_category(slug=f"c{number}"), slug=f"a{number}")
    with django_assert_num_queries(1):
        response = client.get(reverse("api-v1:category_list"))
    assert len(response.json()) == 11


def test_article_detail_gives_rendered_html_tags_and_translations(client, article):
    make_article(
        category=article.category,
        slug="transfer-missing",
        language="en",
        translation_of=article,
    )
    url = reverse("api-v1:article_detail", kwargs={"slug": article.slug})

    response = client.get(url, {"lang": "zh-hans"})

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "转账未到账怎么办"
    assert "<h2" in body["body_html"] and "先确认网络" in body["body_html"]
    assert body["summary"] == article.summary
    assert sorted(tag["name"] for tag in body["tags"]) == ["到账", "转账"]
    assert body["translations"] == [
        {
            "language": "zh-hans",
            "slug": "transfer-not-arrived",
            "url": "/zh-hans/articles/transfer-not-arrived/",
        },
        {
            "language": "en",
            "slug": "transfer-missing",
            "url": "/en/articles/transfer-missing/",
        },
    ]
    assert body["is_fallback"] is False
    assert body["updated_at"]


def test_article_detail_etag_answers_304_when_unchanged(client, article):
    url = reverse("api-v1:article_detail", kwargs={"slug": article.slug})
    etag = client.get(url)["ETag"]

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    article.title = "新标题"
    article.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_article_detail_of_a_draft_or_unknown_slug_is_404(client, draft_article):
    for slug in ("draft-article", "no-such-article"):
        response = client.get(reverse("api-v1:article_detail", kwargs={"slug": slug}))
        assert response.status_code == 404
        assert response.json()["errors"]["__all__"][0]["code"] == "not_found"


def test_article_detail_redirects_to_the_translation(client, article):
    make_article(
        category=article.category,
        slug="transfer-missing",
        language="en",
        translation_of=article,
    )
    url = reverse("api-v1:article_detail", kwargs={"slug": article.slug})

    response = client.get(url, {"lang": "en"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/articles/transfer-missing?lang=en"


def test_article_detail_query_count_does_not_grow(
    client, article, django_assert_num_queries
):
    url = reverse("api-v1:article_detail", kwargs={"slug": article.slug})
    for number in range(10):
        make_article(category=article.category, slug=f"other-{number}", tags=["转账"])
    # the article, its tags, its translations
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200


def test_search_gives_the_same_results_as_the_legacy_endpoint(client, article):
    params = {"q": "转账", "lang": "zh-hans"}

    new = client.get(reverse("api-v1:search"), params)
    old = client.get(reverse("api:search"), params)

    assert new.status_code == 200
    assert [hit["slug"] for hit in new.json()["results"]] == ["transfer-not-arrived"]
    assert new.json()["results"] == old.json()["results"] or (
        [hit["slug"] for hit in new.json()["results"]]
        == [hit["slug"] for hit in old.json()["results"]]
    )
    assert new.json()["total"] == old.json()["total"] == 1


def test_legacy_search_answers_as_before(client, article):
    get = client.get(reverse("api:search"), {"q": "转账", "limit": "99"})
    post = client.post(reverse("api:search"), {"q": "转账", "lang": "xx"})

    assert get.status_code == 400
    assert get.json() == {"error": "limit must be a whole number from 1 to 20."}
    assert post.status_code == 400
    assert post.json() == {"error": "Unknown lang."}


def test_search_refuses_a_bad_limit_in_the_error_shape(client, db):
    response = client.get(reverse("api-v1:search"), {"q": "x", "limit": "21"})

    assert response.status_code == 400
    assert response.json()["errors"]["limit"][0]["code"] == "invalid"


def test_search_does_not_echo_a_recovery_phrase(client, article):
    phrase = (
        "abandon abandon abandon abandon abandon abandon abandon abandon "
        "abandon abandon abandon about"
    )
    response = client.get(reverse("api-v1:search"), {"q": phrase})

    assert response.json() == {
        "query": "",
        "corrected_query": None,
        "total": 0,
        "results": [],
    }


def _vote(client, article, body, install_id="install-0123456789abcdef"):
    url = reverse("api-v1:article_vote", kwargs={"slug": article.slug})
    headers = {"HTTP_X_INSTALL_ID": install_id} if install_id else {}
    return client.post(url, body, content_type="application/json", **headers)


def test_vote_is_recorded_once_per_install(client, article):
    first = _vote(client, article, {"helpful": "no", "reason": "unclear"})
    second = _vote(client, article, {"helpful": "yes"})

    assert first.status_code == 200
    assert first.json() == {"helpful": False, "reason": "unclear", "comment": ""}
    assert second.json()["helpful"] is True
    vote = ArticleVote.objects.get()
    assert vote.is_helpful is True
    assert "install" not in vote.voter


def test_vote_refusals_use_the_forms_codes(client, article):
    missing_id = _vote(client, article, {"helpful": "yes"}, install_id="")
    bad_choice = _vote(client, article, {"helpful": "maybe"})
    no_comment = _vote(client, article, {"helpful": "no", "reason": "other"})

    assert missing_id.status_code == 400
    assert missing_id.json()["errors"]["X-Install-Id"][0]["code"] == "required"
    assert bad_choice.json()["errors"]["helpful"][0]["code"] == "invalid_choice"
    assert no_comment.json()["errors"]["comment"][0]["code"] == "comment_required"
    assert ArticleVote.objects.count() == 0


def test_vote_comment_with_a_recovery_phrase_is_refused_unechoed(client, article):
    phrase = (
        "abandon abandon abandon abandon abandon abandon abandon abandon "
        "abandon abandon abandon about"
    )
    response = _vote(
        client, article, {"helpful": "no", "reason": "other", "comment": phrase}
    )

    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0]["code"] == "secret_detected"
    assert "abandon" not in response.content.decode()
    assert ArticleVote.objects.count() == 0


def test_vote_on_an_unknown_article_is_404(client, draft_article):
    response = _vote(client, draft_article, {"helpful": "yes"})

    assert response.status_code == 404
