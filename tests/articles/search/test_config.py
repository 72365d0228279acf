from unittest import mock

import pytest
from django.db import connection

from articles.search import get_backend
from articles.search.backends.sqlite import SQLiteSearchBackend
from articles.search.checks import fts5_available
from tests.factories import make_article


def test_get_backend_follows_database_vendor(db, settings):
    settings.HELPCENTER_SEARCH_BACKEND = "auto"
    assert get_backend().vendor == connection.vendor


def test_get_backend_loads_a_dotted_path(settings):
    settings.HELPCENTER_SEARCH_BACKEND = (
        "articles.search.backends.sqlite.SQLiteSearchBackend"
    )
    assert isinstance(get_backend().backend, SQLiteSearchBackend)


def test_fts5_check_reports_missing_fts5(db, settings):
    settings.HELPCENTER_SEARCH_BACKEND = "auto"
    with mock.patch("articles.search.backends.sqlite.has_fts5", return_value=False):
        errors = fts5_available()
    expected = ["articles.W001"] if connection.vendor == "sqlite" else []
    assert [error.id for error in errors] == expected


def test_auto_uses_the_reference_backend_without_fts5(db, settings, monkeypatch):
    from articles import search
    from articles.search.backends.reference import ReferenceSearchBackend

    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is a SQLite matter")
    settings.HELPCENTER_SEARCH_BACKEND = "auto"
    monkeypatch.setattr(search, "_auto", {})
    with mock.patch("articles.search.backends.sqlite.has_fts5", return_value=False):
        backend = get_backend()
    monkeypatch.setattr(search, "_auto", {})
    assert isinstance(backend.backend, ReferenceSearchBackend)
    article = make_article(title="钱包备份", language="zh-hans")
    assert [hit.article_id for hit in backend.search("钱包", language="zh-hans")] == [
        article.pk
    ]
