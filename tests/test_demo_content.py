"""The demo articles under content/articles, read as files (no database).

Kept apart from test_demo.py, which loads the demo into a database: these
check what the articles say and link to, so a broken promise or link fails
here with the file's name.
"""

import re

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

from articles.importing import parse_article_file

ARTICLES = settings.BASE_DIR / "content" / "articles"
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
REFERENCE = re.compile(r"CW-[0-9A-Z-]+")
# The reference format the site issues: two random groups of four.
ISSUED_REFERENCE = re.compile(r"CW-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _documents(language):
    return {
        path.stem: parse_article_file(path)
        for path in sorted((ARTICLES / language).glob("*.md"))
    }


def _all_documents():
    return [
        document
        for language in ("zh-hans", "en")
        for document in _documents(language).values()
    ]


def test_every_chinese_article_has_an_english_translation():
    chinese, english = _documents("zh-hans"), _documents("en")
    missing = sorted(set(chinese) - set(english))
    assert missing == []
    for slug, document in english.items():
        assert document.translation_of == slug, document.path
        assert chinese[slug].status == document.status == "published"
        assert chinese[slug].category == document.category, document.path


def test_articles_quote_only_the_reference_format_the_site_issues():
    for document in _all_documents():
        for reference in REFERENCE.findall(document.body):
            assert ISSUED_REFERENCE.fullmatch(reference), (document.path, reference)
    follow_up = (ARTICLES / "en" / "follow-up-ticket.md").read_text(encoding="utf-8")
    assert "CW-7K3M-9QX2" in follow_up


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_article_links_reach_an_article_or_a_page_of_this_site(language):
    documents = _documents(language)
    for document in documents.values():
        for target in MARKDOWN_LINK.findall(document.body):
            if target.startswith(("https://", "http://", "mailto:")):
                continue
            if target.startswith("../"):
                slug = target.removeprefix("../").removesuffix("/")
                assert slug in documents, (document.path, target)
                continue
            # Site pages are linked by path, in the article's own language.
            assert target.startswith(f"/{language}/"), (document.path, target)
            try:
                with translation.override(language):
                    resolve(target)
            except Resolver404:
                pytest.fail(f"{document.path}: {target} is not a page of this site")


def test_contact_articles_send_the_web_form_to_this_sites_contact_page():
    for language in ("zh-hans", "en"):
        documents = _documents(language)
        for slug in ("how-to-contact-support", "follow-up-ticket"):
            assert f"](/{language}/contact/)" in documents[slug].body
        for document in documents.values():
            assert "/support/request" not in document.body, document.path
