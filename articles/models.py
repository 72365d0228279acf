from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from articles.choices import Language
from articles.markdown import render_markdown
from helpcenter.i18n import localized


class RenderedHTMLField(models.TextField):
    """HTML that ``render_markdown`` produced (and nh3 cleaned) on save.

    Read back from the database it is marked safe, so templates and the
    admin show it as HTML without each marking it safe on its own.
    """

    def from_db_value(self, value, expression, connection):
        return mark_safe(value) if value is not None else value

    def deconstruct(self):
        # Stored exactly like a TextField, so migrations see a TextField: an
        # AlterField would make SQLite rebuild articles_article and drop the
        # search triggers the search migration (0002_squashed_0007) put on it.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description_zh_hans = models.CharField(
        _("description (Chinese)"), max_length=300, blank=True
    )
    description_en = models.CharField(
        _("description (English)"), max_length=300, blank=True
    )
    icon = models.SlugField(
        _("icon"),
        max_length=40,
        blank=True,
        help_text=_("Name of an icon in static/img/icons.svg, e.g. key or shield."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name_zh_hans or self.slug

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one visibility rule: published, and the publish time has come.

        Every page, feed, sitemap, API and the search results go through this
        method, so a scheduled article appears on time without any job.
        """
        return self.listed().filter(published_at__lte=timezone.now())

    def listed(self):
        """Published with a publish time, due or not: ``published()`` before
        the clock is applied. The search index partitions on this part of the
        rule and compares the clock at query time (see ``scheduled()``)."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__isnull=False)

    def scheduled(self):
        """Listed articles whose publish time is still to come."""
        return self.listed().filter(published_at__gt=timezone.now())

    def in_language(self, language: str):
        return self.filter(language=language)

    def in_category(self, category):
        return self.filter(category=category)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=False,
        help_text=_(
            "Part of the URL. Unique within a language; translations may share it. "
            "Old slugs keep working: they redirect to the new one."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One sentence, shown in lists and used as the meta description."),
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Raw HTML is shown as text.")
    )
    body_html = RenderedHTMLField(editable=False, default="")
    toc_html = RenderedHTMLField(editable=False, default="")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = TaggableManager(_("tags"), blank=True)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text=_(
            "The original article in the other language, if this is a translation."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "A future time schedules the article: it appears on its own at that time. "
            "Left empty, publishing sets it to now."
        ),
    )
    is_promoted = models.BooleanField(
        _("promoted"), default=False, help_text=_("Shown on the home page.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["view_count", "body_html", "toc_html"])

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "slug"], name="article_unique_slug_per_language"
            ),
        ]
        indexes = [
            models.Index(fields=["language", "status", "published_at"]),
            models.Index(fields=["language", "-view_count"]),
            # "Has this article a visible translation in the page's language?"
            # for the category and tag lists: with the language and status in
            # the index, SQLite takes it over the (language, status,
            # published_at) one, which would scan the whole language.
            models.Index(
                fields=["translation_of", "language", "status", "published_at"],
                name="article_translation_lookup",
            ),
            # One index per ordering, so no list reads a whole language:
            # a category's counts (covering) and its most viewed (related),
            models.Index(
                fields=["category", "language", "status", "view_count", "published_at"],
                name="article_category_popular",
            ),
            # the home page's popular and promoted articles.
            models.Index(
                fields=["language", "status", "view_count", "published_at"],
                name="article_popular",
            ),
            models.Index(
                fields=["language", "is_promoted", "status", "published_at"],
                name="article_promoted",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Rendering is a pure function of the body, so the HTML is a derived
        # value of this row: render once on save, never per request.
        self.body_html, self.toc_html = render_markdown(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "toc_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    def get_vote_url(self):
        # In the article's own language: a fallback page shows an article
        # under the other language's prefix, where its slug does not exist.
        with translation.override(self.language):
            return reverse("articles:vote", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class ArticleVote(models.Model):
    """One reader's answer to "Was this helpful?" (one per browser per article)."""

    class Reason(models.TextChoices):
        OUTDATED = "outdated", _("It is outdated")
        UNCLEAR = "unclear", _("It is hard to understand")
        NOT_SOLVED = "not_solved", _("It did not solve my problem")
        OTHER = "other", _("Something else")

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    is_helpful = models.BooleanField(_("helpful"))
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason.choices, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    voter = models.CharField(
        max_length=64,
        editable=False,
        help_text=_("Hash of the browser's anonymous voter cookie."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "voter"], name="one_vote_per_voter"
            ),
        ]

    def __str__(self):
        sign = "+" if self.is_helpful else "-"
        return f"{self.article} ({sign})"
