"""The search tables: how they are registered and migrated."""

import ast
import io
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import articles
from articles.search import search
from tests.articles.search.schema import differences, snapshot
from tests.factories import make_article

APP_DIR = Path(articles.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (functions included)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_article_and_search_models_do_not_import_each_other():
    article_models = _imported_modules(APP_DIR / "models.py")
    search_models = _imported_modules(APP_DIR / "search" / "models.py")
    assert not {m for m in article_models if m.startswith("articles.search")}
    assert "articles.models" not in search_models
    assert "articles.choices" in search_models


def test_search_tables_are_registered_with_the_articles_app():
    names = {model.__name__ for model in apps.get_app_config("articles").get_models()}
    assert {"SearchDocument", "SearchTerm", "SynonymGroup", "SearchQuery"} <= names
    document = apps.get_model("articles", "SearchDocument")
    assert document._meta.get_field("article").related_model is apps.get_model(
        "articles", "Article"
    )


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """``makemigrations --check`` finds nothing: every column the search
    model declares is in the migration state, whichever path built it."""
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _migrate(targets, *, replace: bool):
    executor = MigrationExecutor(connection)
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    if not replace:
        # The migrations one by one, as a database made before the squash
        # applied them.
        executor.loader = MigrationLoader(connection, replace_migrations=False)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "applied",
    [
        "0003_default_synonyms",
        "0007_search_narrow_rows_postgres",
        "0009_article_translation_lookup",
    ],
)
def test_database_migrated_before_the_squash_upgrades_to_the_same_schema(applied):
    """A database built by the replaced migrations, stopped at ``applied``,
    upgrades to exactly the schema a new database gets from the squash,
    and its articles are found afterwards."""
    fresh = snapshot()
    _migrate([("articles", "0001_initial")], replace=True)
    assert "articles_searchdocument" not in connection.introspection.table_names()

    old = _migrate([("articles", applied)], replace=False)
    assert ("articles", applied) in MigrationRecorder(connection).applied_migrations()
    Category = old.get_model("articles", "Category")
    Article = old.get_model("articles", "Article")
    category = Category.objects.create(slug="wallets", name_zh_hans="钱包")
    Article.objects.create(
        title="Back up a wallet",
        slug="backup",
        language="en",
        body="Write the recovery phrase down.",
        category=category,
        status="published",
        published_at=timezone.now(),
    )

    _migrate(None, replace=True)  # every app to its latest migration
    assert differences(snapshot(), fresh) == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert [hit.article_id for hit in search("backup", language="en").hits] == [
        Article.objects.get().pk
    ]
    added = make_article(title="Swap coins", slug="swap", language="en")
    assert [hit.article_id for hit in search("swap", language="en").hits] == [added.pk]


def test_squashed_sqlite_key_layout_matches_the_backend():
    from articles.search.backends.sqlite import LANGUAGE_SLOTS

    migration = import_module("articles.migrations.0002_squashed_0007_search_schema")
    assert migration.LANGUAGE_SLOTS == {
        str(code): slot for code, slot in LANGUAGE_SLOTS.items()
    }
    assert migration.UNKNOWN_LANGUAGE_SLOT not in LANGUAGE_SLOTS.values()


@pytest.mark.django_db
def test_search_model_declares_every_column_of_its_table():
    SearchDocument = apps.get_model("articles", "SearchDocument")
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                cursor, SearchDocument._meta.db_table
            )
        ]
    assert columns == [field.column for field in SearchDocument._meta.concrete_fields]


@pytest.mark.django_db
def test_unused_covering_index_is_gone():
    """0002's index on articles_article, unread since the FTS5 key and the
    visibility table, is neither built by the squash nor kept by 0010."""
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "articles_article")
    assert "articles_article_search_visibility" not in indexes


@pytest.mark.django_db(transaction=True)
def test_long_rank_vectors_written_before_the_cap_do_not_stop_migration_0015():
    if connection.vendor != "postgresql":
        pytest.skip("the covering index is PostgreSQL's")
    article = make_article(title="Back up a wallet", slug="long-vector", language="en")
    _migrate([("articles", "0014_more_default_synonyms")], replace=True)
    # An 8 kB vector, as the index builder wrote before it capped them.
    long_vector = "'back':1A " + " ".join(
        f"'word{number}x{number * 7919}':{number + 2}D" for number in range(600)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_searchdocument SET rank_vector = %s::tsvector "
            "WHERE article_id = %s",
            [long_vector, article.pk],
        )
    _migrate(None, replace=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(rank_vector), rank_vector::text "
            "FROM articles_searchdocument WHERE article_id = %s",
            [article.pk],
        )
        size, vector = cursor.fetchone()
    # Trimmed to its title's lexemes, which still rank it.
    assert size <= 2400 and vector == "'back':1A"
    assert [hit.article_id for hit in search("back", language="en").hits] == [
        article.pk
    ]
