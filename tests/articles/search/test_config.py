from unittest import mock

from django.db import connection

from articles.search import get_backend
from articles.search.backends.sqlite import SQLiteSearchBackend
from articles.search.checks import fts5_available


def test_get_backend_follows_database_vendor(settings):
    settings.HELPCENTER_SEARCH_BACKEND = "auto"
    assert get_backend().vendor == connection.vendor


def test_get_backend_loads_a_dotted_path(settings):
    settings.HELPCENTER_SEARCH_BACKEND = (
        "articles.search.backends.sqlite.SQLiteSearchBackend"
    )
    assert isinstance(get_backend().backend, SQLiteSearchBackend)


def test_fts5_check_reports_missing_fts5(db):
    with mock.patch("articles.search.backends.sqlite.has_fts5", return_value=False):
        errors = fts5_available()
    expected = ["articles.E001"] if connection.vendor == "sqlite" else []
    assert [error.id for error in errors] == expected
