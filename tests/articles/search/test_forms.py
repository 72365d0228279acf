"""SearchForm: the parameters of /search/, /api/search and /api/v1/search."""

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import (
    HealthCheck,
    given,
    settings as hypothesis_settings,
    strategies as st,
)

from articles.search.forms import DEFAULT_LIMIT, SearchForm
from tests.factories import make_category

LANGUAGES = {"zh-hans", "en"}
# Any text a URL can carry, and the look-alikes of numbers and slugs.
TEXT = st.text(
    st.characters(blacklist_categories=["Cs"]), max_size=30
) | st.sampled_from(
    [
        "²",
        "١٢",
        "３",
        "1_0",
        " 5",
        "+5",
        "-1",
        "0",
        "21",
        "20",
        "1",
        "9" * 12,
        "\x00",
        "all",
        "en",
        "zh-hans",
        "EN",
        "en ",
        "transfers",
        "Transfers",
        "转账",
    ]
)
PARAMETERS = st.dictionaries(
    st.sampled_from(["q", "lang", "limit", "category", "page", "spell"]), TEXT
)
FORM_SETTINGS = hypothesis_settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _ascii_number(value: str) -> int | None:
    return (
        int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
    )


@pytest.fixture
def transfers(db):
    return make_category(slug="transfers", name_zh_hans="转账", name_en="Transfers")


@given(data=PARAMETERS)
@FORM_SETTINGS
def test_any_parameters_parse_or_name_the_bad_one(transfers, data):
    form = SearchForm(data)
    valid = form.is_valid()
    # Only these three can be refused, each with the code "invalid".
    assert set(form.errors) <= {"lang", "limit", "category"}
    assert valid == (not form.errors)
    for errors in form.errors.as_data().values():
        assert [error.code for error in errors] == ["invalid"]

    lang = data.get("lang", "")
    assert ("lang" in form.errors) == (lang not in LANGUAGES | {"", "all"})
    limit = data.get("limit", "")
    number = _ascii_number(limit)
    assert ("limit" in form.errors) == bool(limit and not (number and number <= 20))
    category = data.get("category", "")
    assert ("category" in form.errors) == bool(category and category != "transfers")

    params = form.search_params()
    assert params.query == data.get("q", "")
    assert params.limit == (
        number if not form.errors.get("limit") and limit else DEFAULT_LIMIT
    )
    page = _ascii_number(data.get("page", ""))
    assert params.page == (page if page else 1)
    assert params.use_correction == (data.get("spell") != "0")
    assert params.category == (transfers if category == "transfers" else None)
    if lang == "all":
        assert params.language is None
    elif lang in LANGUAGES:
        assert params.language == lang
    else:
        # Unusable or missing: the request's language, and no lang to keep.
        assert params.language == translation.get_language()
        assert params.lang == ""
    assert params.prefix is False


def test_instant_search_matches_the_last_word_as_a_prefix(db):
    assert SearchForm({"q": "withdr"}, instant=True).search_params().prefix is True
    assert SearchForm({"q": "withdr"}).search_params().prefix is False


def test_errors_are_named_in_field_order(db):
    form = SearchForm({"category": "nope", "limit": "0", "lang": "fr"})
    assert list(form.errors) == ["lang", "limit", "category"]
    assert form.first_error_field() == "lang"


@given(data=PARAMETERS)
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_page_and_both_apis_agree_on_what_is_bad_input(client, transfers, data):
    """The APIs refuse exactly what the form refuses (400, never 500); the
    page shows results for the same parameters with defaults instead."""
    refused = not SearchForm(data).is_valid()
    legacy = client.get(reverse("api:search"), data)
    v1 = client.get(reverse("api-v1:search"), data)
    page = client.get(reverse("articles:search"), data)
    assert legacy.status_code == v1.status_code == (400 if refused else 200)
    assert page.status_code == 200
    if refused:
        assert set(legacy.json()) == {"error"}
        assert set(v1.json()["errors"]) == set(SearchForm(data).errors)


def test_v1_search_names_every_bad_parameter(client, db):
    response = client.get(
        reverse("api-v1:search"),
        {"q": "x", "lang": "fr", "limit": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "lang": [{"code": "invalid", "message": "Unknown language."}],
            "limit": [
                {"code": "invalid", "message": "Choose a whole number from 1 to 20."}
            ],
        }
    }
