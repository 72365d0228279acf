"""Import and export of articles as Markdown files with YAML front matter.

A file is ``---``, a YAML mapping, ``---``, then the Markdown body::

    ---
    title: 忘记登录密码怎么办
    slug: forgot-password
    category: account-login
    language: zh-hans
    tags: [密码, 登录]
    status: published
    summary: ...
    promoted: false
    translation_of: forgot-password   # slug of the original, other language
    published_at: 2026-11-01T08:00:00+00:00   # optional
    ---
    Body...

Import is idempotent by (slug, language): a file updates its article in
place and an unchanged file writes nothing. Each file is imported in its own
transaction, so a bad file writes nothing while good files in the same run
still import. A ``categories.yaml`` at the top of an imported folder defines
category names, descriptions and icons; export writes one too, so export
followed by import into an empty database reproduces every article.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article, Category, Language
from articles.selectors import article_contacts_to_confirm

CATEGORIES_FILE = "categories.yaml"
REQUIRED_KEYS = ("title", "slug", "category", "language")
OPTIONAL_KEYS = (
    "tags",
    "status",
    "summary",
    "promoted",
    "translation_of",
    "published_at",
)
CATEGORY_KEYS = (
    "slug", "name_zh_hans", "name_en", "description_zh_hans", "description_en",
    "icon", "order",
)  # fmt: skip
# Files exported before topics moved to channels.Topic carry the category's
# contact-form kind; it is read past, not refused.
RETIRED_CATEGORY_KEYS = {"contact_form_kind"}
MAX_FILE_BYTES = 1_000_000


class ArticleFileError(Exception):
    """A file that cannot be imported; the message says why."""


@dataclass
class ArticleDocument:
    """One parsed, validated article file, not yet written."""

    path: Path
    title: str
    slug: str
    category: str
    language: str
    body: str
    tags: list[str] = field(default_factory=list)
    status: str = Article.Status.DRAFT
    summary: str = ""
    promoted: bool = False
    translation_of: str = ""
    published_at: dt.datetime | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)


def _split_front_matter(text: str) -> tuple[str, str]:
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ArticleFileError("no front matter: the file must start with a line '---'")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") == "---":
            body = "".join(lines[index + 1 :])
            # Export ends the body with exactly one newline; drop it again.
            body = body[:-2] if body.endswith("\r\n") else body.removesuffix("\n")
            return "".join(lines[1:index]), body
    raise ArticleFileError("front matter is not closed by a line '---'")


def _text(meta: dict, key: str, max_length: int) -> str:
    value = meta.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ArticleFileError(f"'{key}' must be text")
    value = str(value).strip()
    if len(value) > max_length:
        raise ArticleFileError(f"'{key}' is longer than {max_length} characters")
    return value


def _slug(value: str, key: str) -> str:
    try:
        validate_slug(value)
    except ValidationError:
        raise ArticleFileError(
            f"'{key}' must use only letters, digits, hyphens and underscores: {value!r}"
        ) from None
    return value


def parse_article_file(path: Path) -> ArticleDocument:
    """Read and validate one file. Raises ``ArticleFileError`` with the reason."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ArticleFileError("file is larger than 1 MB")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            raw = handle.read()
    except UnicodeDecodeError:
        raise ArticleFileError("file is not UTF-8 text") from None
    front, body = _split_front_matter(raw)
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "invalid syntax"
        raise ArticleFileError(f"bad YAML in front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise ArticleFileError("front matter must be a YAML mapping of keys to values")
    unknown = set(meta) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        raise ArticleFileError(f"unknown keys in front matter: {names}")
    missing = [key for key in REQUIRED_KEYS if not meta.get(key)]
    if missing:
        names = ", ".join(missing)
        raise ArticleFileError(f"missing required keys: {names}")
    if "\x00" in body:
        raise ArticleFileError("body contains a NUL byte")
    return ArticleDocument(
        path=path,
        title=_text(meta, "title", 200),
        slug=_slug(_text(meta, "slug", 200), "slug"),
        category=_slug(_text(meta, "category", 80), "category"),
        language=_language(meta),
        body=body,
        tags=_tags(meta),
        status=_status(meta),
        summary=_text(meta, "summary", 300),
        promoted=_bool(meta, "promoted"),
        translation_of=(
            _slug(_text(meta, "translation_of", 200), "translation_of")
            if meta.get("translation_of")
            else ""
        ),
        published_at=_datetime(meta),
    )


def _language(meta: dict) -> str:
    language = str(meta["language"]).strip().lower()
    if language not in Language.values:
        choices = ", ".join(Language.values)
        raise ArticleFileError(f"unknown language {language!r} (use one of: {choices})")
    return language


def _status(meta: dict) -> str:
    status = str(meta.get("status") or Article.Status.DRAFT).strip().lower()
    if status not in Article.Status.values:
        choices = ", ".join(Article.Status.values)
        raise ArticleFileError(f"unknown status {status!r} (use one of: {choices})")
    return status


def _tags(meta: dict) -> list[str]:
    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(
        isinstance(tag, str | int) for tag in tags
    ):
        raise ArticleFileError("'tags' must be a list of words")
    cleaned = [str(tag).strip() for tag in tags if str(tag).strip()]
    if any(len(tag) > 100 or "," in tag for tag in cleaned):
        raise ArticleFileError(
            "a tag is longer than 100 characters or contains a comma"
        )
    return list(dict.fromkeys(cleaned))


def _bool(meta: dict, key: str) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        raise ArticleFileError(f"'{key}' must be true or false")
    return value


def _datetime(meta: dict) -> dt.datetime | None:
    value = meta.get("published_at")
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = parse_datetime(value.strip())
    else:
        parsed = None
    if parsed is None:
        raise ArticleFileError(
            "'published_at' must be a date and time like 2026-11-01T08:00:00+00:00"
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _article_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(path for path in root.rglob("*.md") if path.is_file())


def import_articles(root: Path, *, confirm_contacts: bool = False) -> ImportReport:
    """Import a file or every ``*.md`` below a folder; return what happened.

    Originals are imported before translations, so ``translation_of`` can
    name an article from the same run. A file with a contact that is not an
    official channel fails unless ``confirm_contacts``; one with a known-scam
    contact always fails.
    """
    report = ImportReport()
    categories_file = root / CATEGORIES_FILE if root.is_dir() else None
    if categories_file and categories_file.exists():
        try:
            import_categories(categories_file)
        except ArticleFileError as error:
            report.failed.append((categories_file, str(error)))
    documents, seen = [], {}
    for path in _article_files(root):
        try:
            document = parse_article_file(path)
        except ArticleFileError as error:
            report.failed.append((path, str(error)))
            continue
        key = (document.slug, document.language)
        if key in seen:
            report.failed.append(
                (
                    path,
                    f"duplicate slug {document.slug!r} in {document.language}: also in {seen[key]}",
                )
            )
            continue
        seen[key] = path
        documents.append(document)
    documents.sort(key=lambda document: bool(document.translation_of))
    for document in documents:
        try:
            outcome = import_document(document, confirm_contacts=confirm_contacts)
        except ArticleFileError as error:
            report.failed.append((document.path, str(error)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


@transaction.atomic
def import_document(
    document: ArticleDocument, *, confirm_contacts: bool = False
) -> str:
    """Write one document; return ``created``, ``updated`` or ``unchanged``.

    Raises ArticleFileError, writing nothing, when the text has a known-scam
    contact, or a contact that is not an official channel (and was not in
    the article already) without ``confirm_contacts``.
    """
    category, _created = Category.objects.get_or_create(
        slug=document.category,
        defaults={"name_zh_hans": document.category, "name_en": document.category},
    )
    original = None
    if document.translation_of:
        original = (
            Article.objects.exclude(language=document.language)
            .filter(slug=document.translation_of)
            .first()
        )
        if original is None:
            raise ArticleFileError(
                f"translation_of: no article {document.translation_of!r} in another language"
            )
    values = {
        "title": document.title,
        "category": category,
        "summary": document.summary,
        "body": document.body,
        "status": document.status,
        "is_promoted": document.promoted,
        "translation_of": original,
    }
    if document.published_at is not None:
        values["published_at"] = document.published_at
    article = Article.objects.filter(
        slug=document.slug, language=document.language
    ).first()
    _check_contacts(document, article, confirm=confirm_contacts)
    if article is None:
        article = Article(slug=document.slug, language=document.language, **values)
        article.save()
        article.tags.set(document.tags)
        return "created"
    changed = any(getattr(article, name) != value for name, value in values.items())
    tags_changed = sorted(article.tags.names()) != sorted(document.tags)
    if changed:
        for name, value in values.items():
            setattr(article, name, value)
        article.save()
    if tags_changed:
        article.tags.set(document.tags)
    return "updated" if changed or tags_changed else "unchanged"


def _check_contacts(document: ArticleDocument, article, *, confirm: bool) -> None:
    names = ("title", "summary", "body")
    found = article_contacts_to_confirm(
        texts=[getattr(document, name) for name in names],
        saved_texts=[getattr(article, name) for name in names] if article else [],
    )
    if found.scams:
        raise ArticleFileError(
            f"contains a known scam contact: {', '.join(found.scams)}; remove it "
            "(this cannot be overridden)"
        )
    if found.unconfirmed and not confirm:
        raise ArticleFileError(
            "contains contacts that are not official channels: "
            f"{', '.join(found.unconfirmed)}; check each one, and if they are "
            "right, import again with --confirm-contacts"
        )


def import_categories(path: Path) -> int:
    """Create or update categories from a YAML list; return how many were read."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        raise ArticleFileError("bad YAML") from None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) for entry in entries
    ):
        raise ArticleFileError("must be a YAML list of categories")
    with transaction.atomic():
        for entry in entries:
            unknown = set(entry) - set(CATEGORY_KEYS) - RETIRED_CATEGORY_KEYS
            if unknown or not entry.get("slug"):
                raise ArticleFileError(
                    f"category entry has unknown keys or no slug: {entry!r}"
                )
            slug = _slug(str(entry["slug"]), "slug")
            values = {key: entry[key] for key in CATEGORY_KEYS[1:] if key in entry}
            category = Category(slug=slug, **values)
            try:
                category.full_clean(exclude=["slug"])
            except ValidationError as error:
                raise ArticleFileError(f"category {slug!r}: {error.messages}") from None
            Category.objects.update_or_create(slug=slug, defaults=values)
    return len(entries)


def export_articles(directory: Path) -> int:
    """Write every article (any status) and the categories; return the count."""
    directory.mkdir(parents=True, exist_ok=True)
    categories = [
        {key: getattr(category, key) for key in CATEGORY_KEYS}
        for category in Category.objects.order_by("order", "slug")
    ]
    (directory / CATEGORIES_FILE).write_text(
        yaml.safe_dump(categories, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    count = 0
    articles = Article.objects.select_related(
        "category", "translation_of"
    ).prefetch_related("tags")
    for article in articles.order_by("pk").iterator(chunk_size=500):
        meta = {
            "title": article.title,
            "slug": article.slug,
            "category": article.category.slug,
            "language": article.language,
            "tags": sorted(article.tags.names()),
            "status": article.status,
            "summary": article.summary,
            "promoted": article.is_promoted,
        }
        if article.translation_of:
            meta["translation_of"] = article.translation_of.slug
        if article.published_at:
            meta["published_at"] = article.published_at.isoformat()
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        target = directory / article.language / f"{article.slug}.md"
        target.parent.mkdir(exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as handle:
            handle.write(f"---\n{front}---\n{article.body}\n")
        count += 1
    return count
