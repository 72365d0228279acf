from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.importing import export_articles, import_articles
from articles.models import Article, Category
from tests.factories import make_article, make_category

GOOD = """---
title: 忘记密码怎么办
slug: forgot-password
category: account-login
language: zh-hans
tags: [密码, 登录]
status: published
summary: 重置密码的步骤。
promoted: true
---
## 第一步

打开登录页。
"""

TRANSLATION = """---
title: Forgot your password
slug: forgot-password
category: account-login
language: en
tags: [password]
status: published
translation_of: forgot-password
---
Open the login page.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_creates_article_category_and_tags(tmp_path):
    write(tmp_path, "zh/forgot.md", GOOD)
    report = import_articles(tmp_path)
    assert (report.created, report.updated, report.failed) == (1, 0, [])
    article = Article.objects.get(slug="forgot-password", language="zh-hans")
    assert article.title == "忘记密码怎么办"
    assert article.is_promoted and article.is_published
    assert sorted(article.tags.names()) == ["密码", "登录"]
    assert article.body == "## 第一步\n\n打开登录页。"
    assert Category.objects.filter(slug="account-login").exists()


@pytest.mark.django_db
def test_import_links_translation_even_when_listed_first(tmp_path):
    write(tmp_path, "a-en.md", TRANSLATION)
    write(tmp_path, "b-zh.md", GOOD)
    report = import_articles(tmp_path)
    assert report.created == 2 and report.failed == []
    english = Article.objects.get(language="en")
    assert english.translation_of == Article.objects.get(language="zh-hans")


@pytest.mark.django_db
def test_import_twice_changes_nothing(tmp_path):
    write(tmp_path, "forgot.md", GOOD)
    import_articles(tmp_path)
    article = Article.objects.get()
    history = article.history.count()
    report = import_articles(tmp_path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Article.objects.get().updated_at == article.updated_at
    assert article.history.count() == history


@pytest.mark.django_db
def test_import_updates_in_place_by_slug_and_language(tmp_path):
    path = write(tmp_path, "forgot.md", GOOD)
    import_articles(tmp_path)
    path.write_text(GOOD.replace("忘记密码怎么办", "找回密码"), encoding="utf-8")
    report = import_articles(tmp_path)
    assert report.updated == 1
    assert Article.objects.get().title == "找回密码"


BAD_FILES = {
    "no front matter": ("title: x\nbody", "no front matter"),
    "unclosed": ("---\ntitle: x\n", "not closed"),
    "bad yaml": ("---\ntitle: [unclosed\nslug: a\n---\nbody", "bad YAML"),
    "not a mapping": ("---\n- a\n- b\n---\nbody", "mapping"),
    "unknown language": (
        GOOD.replace("language: zh-hans", "language: fr"),
        "unknown language 'fr'",
    ),
    "unknown status": (
        GOOD.replace("status: published", "status: live"),
        "unknown status",
    ),
    "missing title": (
        GOOD.replace("title: 忘记密码怎么办\n", ""),
        "missing required keys: title",
    ),
    "bad slug": (
        GOOD.replace("slug: forgot-password", "slug: 'a b/c'"),
        "'slug' must use only",
    ),
    "tags not list": (
        GOOD.replace("tags: [密码, 登录]", "tags: 密码"),
        "'tags' must be a list",
    ),
    "promoted not bool": (
        GOOD.replace("promoted: true", "promoted: maybe"),
        "'promoted' must be true or false",
    ),
    "unknown key": (
        GOOD.replace("promoted: true", "promoted: true\ncolour: red"),
        "unknown keys",
    ),
    "bad date": (
        GOOD.replace("promoted: true", "promoted: true\npublished_at: someday"),
        "'published_at'",
    ),
    "missing original": (
        TRANSLATION.replace("translation_of: forgot-password", "translation_of: nope"),
        "no article 'nope'",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_import_bad_file_is_reported_and_writes_nothing(tmp_path, case):
    text, reason = BAD_FILES[case]
    bad = write(tmp_path, "bad.md", text)
    report = import_articles(tmp_path)
    assert report.created == 0
    assert [(path, reason in message) for path, message in report.failed] == [
        (bad, True)
    ]
    assert Article.objects.count() == 0
    assert Category.objects.count() == 0


@pytest.mark.django_db
def test_import_bad_file_does_not_stop_good_files(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "bad.md", "no front matter here")
    report = import_articles(tmp_path)
    assert report.created == 1 and len(report.failed) == 1
    assert Article.objects.filter(slug="forgot-password").exists()


@pytest.mark.django_db
def test_import_duplicate_slug_in_one_run_fails_the_second_file(tmp_path):
    write(tmp_path, "a.md", GOOD)
    duplicate = write(tmp_path, "b.md", GOOD.replace("忘记密码怎么办", "另一篇"))
    report = import_articles(tmp_path)
    assert report.created == 1
    assert report.failed[0][0] == duplicate
    assert "duplicate slug 'forgot-password'" in report.failed[0][1]
    assert Article.objects.get().title == "忘记密码怎么办"


@pytest.mark.django_db
def test_import_command_prints_summary_and_fails_on_bad_files(tmp_path, capsys):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "bad.md", "nothing")
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_articles", str(tmp_path))
    captured = capsys.readouterr()
    assert "created 1, updated 0, unchanged 0, failed 1" in captured.out
    assert "bad.md: no front matter" in captured.err


@pytest.mark.django_db
def test_export_then_import_into_empty_database_reproduces_articles(
    tmp_path, django_db_blocker
):
    category = make_category(
        slug="transfers", icon="arrows", order=3, description_en="Moving funds"
    )
    original = make_article(
        category=category,
        slug="fees",
        title="手续费",
        body="## 一\n\n正文\r\n带 CRLF\n",
        tags=["手续费", "gas"],
        is_promoted=True,
    )
    make_article(
        category=category,
        slug="fees",
        language="en",
        title="Fees",
        translation_of=original,
    )
    make_article(
        category=category,
        slug="later",
        status="published",
        published_at=timezone.now() + timedelta(days=3),
    )
    make_article(category=category, slug="draft", status="draft", published_at=None)
    fields = [
        "title",
        "slug",
        "language",
        "summary",
        "body",
        "status",
        "published_at",
        "is_promoted",
    ]

    def snapshot():
        return sorted(
            (
                tuple(getattr(article, name) for name in fields),
                article.category.slug,
                article.translation_of.slug if article.translation_of else None,
                tuple(sorted(article.tags.names())),
            )
            for article in Article.objects.select_related("category", "translation_of")
        )

    before = snapshot()
    categories_before = list(
        Category.objects.values_list("slug", "icon", "order", "description_en")
    )
    assert export_articles(tmp_path) == 4
    Article.objects.all().delete()
    Category.objects.all().delete()
    report = import_articles(tmp_path)
    assert report.failed == [] and report.created == 4
    assert snapshot() == before
    assert (
        list(Category.objects.values_list("slug", "icon", "order", "description_en"))
        == categories_before
    )


@pytest.mark.django_db
def test_demo_content_imports_without_failures():
    from django.conf import settings

    from articles.importing import import_categories

    # As load_demo does: categories, then the channels the articles name.
    content = settings.BASE_DIR / "content"
    import_categories(content / "categories.yaml")
    call_command("load_channels", str(content / "channels.yaml"), stdout=StringIO())
    report = import_articles(content)
    assert report.failed == []
    published = Article.objects.published()
    assert published.filter(language="zh-hans").count() >= 30
    assert published.filter(language="en", translation_of__isnull=False).count() >= 15
