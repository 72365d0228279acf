"""Tables of the search feature: the analyzed documents, synonyms, analytics.

Every column is declared here. What Django cannot declare is created by
migration ``0002_squashed_0007_search_schema`` according to the database
vendor, and described there: SQLite's FTS5 table, its visibility copy and
their triggers; PostgreSQL's GIN indexes, TOAST setting, sync trigger and
search functions.
"""

import re

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.choices import Language


class SearchDocument(models.Model):
    """The analyzed, space-separated tokens of one article, one column each.

    Written only by the search backends; every article has one, drafts too,
    because visibility is applied at query time.
    """

    article = models.OneToOneField(
        "articles.Article",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    title = models.TextField(default="")
    tags = models.TextField(default="")
    summary = models.TextField(default="")
    body = models.TextField(default="")
    # PostgreSQL only (on SQLite they exist and stay empty; the FTS5 table
    # and articles_search_visibility play their part). Written in SQL by the
    # postgres backend, see its module docs: every token prefixed with the
    # article's language (GIN-indexed), the plain weighted lexemes ranking
    # reads, and the title/tags/summary tier (GIN-indexed).
    search_vector = SearchVectorField(db_default="")
    rank_vector = SearchVectorField(db_default="")
    head_vector = SearchVectorField(db_default="")
    # PostgreSQL only: a copy of the article's visibility columns, so
    # counting and facets read the index rows alone. The backend writes them
    # and a trigger on articles_article follows updates that bypass it.
    # NULL on SQLite, which filters through the article table instead.
    status = models.CharField(max_length=12, null=True)  # noqa: DJ001
    published_at = models.DateTimeField(null=True)
    category = models.ForeignKey(
        "articles.Category",
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return self.title[:80]


class SearchTerm(models.Model):
    """A Latin word stem present in the index, with a readable spelling.

    The vocabulary typo correction chooses from. Terms are added as articles
    are indexed and only removed by a rebuild; a stale term can at worst
    suggest a word that now finds nothing.
    """

    term = models.CharField(max_length=64, primary_key=True)
    surface = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self):
        return self.surface


SYNONYM_SEPARATORS = re.compile(r"[\n,，=;；、|]+")


class SynonymGroup(models.Model):
    """Words users say for the same thing; a query for one finds all.

    Applied at query time, so an edit takes effect on the next search
    without rebuilding the index.
    """

    terms = models.TextField(
        _("terms"),
        help_text=_(
            "Words or phrases that mean the same, in any language, one per line "
            "or separated by commas, e.g. 登录, 登入, sign in, log in."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self):
        return ", ".join(self.term_list())[:100]

    def term_list(self) -> list[str]:
        """Return the group's terms, stripped, without blanks or duplicates."""
        seen: dict[str, None] = {}
        for part in SYNONYM_SEPARATORS.split(self.terms):
            part = " ".join(part.split())
            if part:
                seen.setdefault(part, None)
        return list(seen)


class SearchQuery(models.Model):
    """One search made on the results page, without anything identifying.

    No IP address, user or session is stored, and a query containing a
    recovery phrase or key is never recorded at all.
    """

    query = models.CharField(_("query"), max_length=200, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    result_count = models.PositiveIntegerField(_("results"))
    opened_article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("opened result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_rank = models.PositiveSmallIntegerField(
        _("rank opened"), null=True, blank=True
    )
    # The time of the search, which the flush that writes the row passes
    # (searches are buffered, see services.search_flush_analytics).
    created_at = models.DateTimeField(
        _("searched at"), default=timezone.now, db_index=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")

    def __str__(self):
        return self.query
