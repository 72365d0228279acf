"""/healthz: database, cache, storage and migrations, never cached."""

import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from helpcenter import health

pytestmark = pytest.mark.django_db

CHECKS = {
    "Database(alias='default')",
    "Cache(alias='default')",
    "Storage(alias='default')",
    "Migrations(alias='default')",
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_healthz_literal_path_answers_json_with_every_check_ok(client, tmp_path):
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert json.loads(response.content) == {name: "OK" for name in CHECKS}
    # The storage probe cleans up after itself.
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_healthz_is_never_cached_and_has_no_language_prefix(client):
    response = client.get("/healthz?format=json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Accept" in response["Vary"]
    assert client.get("/zh-hans/healthz").status_code == 404


def test_healthz_page_and_text_for_people(client):
    page = client.get("/healthz", HTTP_ACCEPT="text/html")
    text = client.get("/healthz", HTTP_ACCEPT="text/plain")
    assert "System status: healthy" in page.text
    assert set(text.text.splitlines()) == {f"{name}: OK" for name in CHECKS}


def test_healthz_fails_while_a_migration_of_the_code_is_unapplied(client, monkeypatch):
    shipped = health._migrations_on_disk()
    monkeypatch.setattr(
        health,
        "_migrations_on_disk",
        lambda: {**shipped, ("articles", "9999_deployed_not_migrated"): frozenset()},
    )
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    answer = json.loads(response.content)
    assert answer["Migrations(alias='default')"] == (
        "Unavailable: 1 unapplied: articles.9999_deployed_not_migrated"
    )
    assert answer["Database(alias='default')"] == "OK"


def test_unapplied_migrations_is_one_query_and_none_after_migrate(
    django_assert_num_queries,
):
    health._migrations_on_disk()  # read once per process, before counting
    with django_assert_num_queries(1):
        assert health.unapplied_migrations() == []


def test_a_squash_counts_as_applied_when_all_it_replaces_is(monkeypatch):
    recorder = MigrationRecorder(connection)
    recorder.record_applied("squashed", "0001")
    recorder.record_applied("squashed", "0002")
    recorder.record_applied("partial", "0001")
    on_disk = {
        ("squashed", "0001_squashed_0002"): frozenset(
            {("squashed", "0001"), ("squashed", "0002")}
        ),
        ("partial", "0001_squashed_0002"): frozenset(
            {("partial", "0001"), ("partial", "0002")}
        ),
    }
    monkeypatch.setattr(health, "_migrations_on_disk", lambda: on_disk)
    assert health.unapplied_migrations() == ["partial.0001_squashed_0002"]
