"""The search tables: how they are registered and migrated."""

import ast
from pathlib import Path

from django.apps import apps

import articles

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
