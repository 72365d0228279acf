from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.search.checks import fts5_available
from articles.search.models import SearchQuery, SynonymGroup


def test_default_synonyms_are_installed(db):
    assert SynonymGroup.objects.filter(terms__contains="KYC").exists()
    assert SynonymGroup.objects.count() >= 40


def test_search_report_lists_top_zero_and_unopened_queries(client, staff_user, article):
    for _ in range(3):
        SearchQuery.objects.create(query="转账", language="zh-hans", result_count=1)
    SearchQuery.objects.create(query="火星币", language="zh-hans", result_count=0)
    SearchQuery.objects.create(
        query="密码", language="zh-hans", result_count=2, opened_article=article
    )
    old = SearchQuery.objects.create(query="去年", language="zh-hans", result_count=0)
    SearchQuery.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    client.force_login(staff_user)
    response = client.get(
        reverse("admin:articles_searchquery_report"), headers={"accept-language": "en"}
    )
    report = response.context["report"]
    assert [(row["query"], row["searches"]) for row in report.top] == [
        ("转账", 3),
        ("密码", 1),
        ("火星币", 1),
    ]
    assert [row["query"] for row in report.zero_results] == ["火星币"]
    assert [row["query"] for row in report.never_opened] == ["转账"]
    assertContains(response, "Queries whose results nobody opened")


def test_search_report_requires_staff(client, db):
    response = client.get(reverse("admin:articles_searchquery_report"))
    assert response.status_code == 302


def test_fts5_check_passes_on_this_database(db):
    assert fts5_available() == []


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "２０２６-01-05", "x"])
def test_search_report_survives_any_week(client, staff_user, db, week):
    client.force_login(staff_user)
    response = client.get(
        reverse("admin:articles_searchquery_report"),
        {"week": week},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert response.context["report"] is not None
