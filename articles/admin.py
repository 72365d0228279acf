from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.db.models.fields import BLANK_CHOICE_DASH
from django.http import JsonResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from articles import services
from articles.forms import ArticleAdminForm
from articles.markdown import render_markdown
from articles.models import Article, ArticleVote, Category
from articles.search import admin as search_admin  # noqa: F401  (registers it)


class LabelledAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select with a labelled blank option.

    Select2 needs the blank ``<option>`` as its placeholder, and HTML forbids
    an empty option without a ``label`` attribute; Select2 shows neither.
    """

    def create_option(self, name, value, label, *args, **kwargs):
        option = super().create_option(name, value, label, *args, **kwargs)
        if value == "" and not label:
            option["attrs"]["label"] = BLANK_CHOICE_DASH[0][1]
        return option


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name_zh_hans",
        "name_en",
        "slug",
        "order",
        "article_total",
    ]
    list_editable = ["order"]
    search_fields = ["name_zh_hans", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name_zh_hans",
                    "name_en",
                    "description_zh_hans",
                    "description_en",
                ]
            },
        ),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["slug", "icon", "order"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_article_total=Count("articles"))

    @admin.display(description=_("articles"), ordering="_article_total")
    def article_total(self, obj):
        return obj._article_total


class TranslationInline(admin.TabularInline):
    model = Article
    fk_name = "translation_of"
    fields = ["title", "language", "slug", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("translation")
    verbose_name_plural = _("translations")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleAdminForm
    list_display = [
        "title", "language", "category", "status", "published_at", "is_promoted",
        "view_count", "helpful_yes", "helpful_no", "updated_at",
    ]  # fmt: skip
    list_filter = ["status", "language", "category", "is_promoted", "tags"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["translation_of"]
    list_select_related = ["category"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish"]
    inlines = [TranslationInline]
    readonly_fields = [
        "preview",
        "view_count",
        "vote_summary",
        "public_link",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "language",
                    "category",
                    "summary",
                    "body",
                    "confirm_contacts",
                    "tags",
                ]
            },
        ),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "is_promoted", "public_link"]},
        ),
        (_("Preview"), {"fields": ["preview"]}),
        (_("Readers"), {"fields": ["view_count", "vote_summary"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": [
                    "slug",
                    "translation_of",
                    "author",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    formfield_overrides = {
        models.CharField: {
            "widget": forms.TextInput(attrs={"class": "vTextField", "size": 80})
        },
        models.TextField: {
            "widget": forms.Textarea(
                attrs={
                    "class": "vLargeTextField",
                    "rows": 20,
                    "data-preview-label": _("Preview"),
                }
            )
        },
    }

    class Media:
        js = ["js/admin_preview.js"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                LabelledAutocompleteSelect(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [
            path("preview/", preview, name="articles_article_preview")
        ] + super().get_urls()

    def preview_view(self, request):
        """Render unsaved Markdown exactly as the public page would show it."""
        if not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied
        body_html, toc_html = render_markdown(request.POST.get("body", ""))
        return JsonResponse({"html": toc_html + body_html})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _yes=Count("votes", filter=Q(votes__is_helpful=True)),
                _no=Count("votes", filter=Q(votes__is_helpful=False)),
            )
        )

    def save_model(self, request, obj, form, change):
        # Ownership only: a new article belongs to whoever wrote it.
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("helpful"), ordering="_yes")
    def helpful_yes(self, obj):
        return obj._yes

    @admin.display(description=_("not helpful"), ordering="_no")
    def helpful_no(self, obj):
        return obj._no

    @admin.display(description=_("rendered body (as last saved)"))
    def preview(self, obj):
        if not obj.pk:
            return _("Save the article (as a draft) to see the rendered preview.")
        return format_html(
            '<div class="markdown-preview">{}{}</div>', obj.toc_html, obj.body_html
        )

    @admin.display(description=_("public page"))
    def public_link(self, obj):
        if not obj.pk:
            return "-"
        if not obj.is_published:
            return _("Not visible to readers (draft, archived or scheduled).")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            obj.get_absolute_url(),
        )

    @admin.display(description=_("feedback"))
    def vote_summary(self, obj):
        reasons = (
            obj.votes.filter(is_helpful=False)
            .values("reason")
            .annotate(n=Count("pk"))
            .order_by("-n")
        )
        labels = dict(ArticleVote.Reason.choices)
        rows = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (labels.get(row["reason"], _("no reason given")), row["n"])
                for row in reasons
            ),
        )
        return format_html(
            "{} {} · {} {}<ul>{}</ul>",
            (
                obj._yes
                if hasattr(obj, "_yes")
                else obj.votes.filter(is_helpful=True).count()
            ),
            _("helpful"),
            (
                obj._no
                if hasattr(obj, "_no")
                else obj.votes.filter(is_helpful=False).count()
            ),
            _("not helpful"),
            rows,
        )

    @admin.action(description=_("Publish selected articles"))
    def publish(self, request, queryset):
        count = services.article_publish(articles=queryset)
        self.message_user(
            request,
            _("%(count)d article(s) published.") % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected articles (back to draft)"))
    def unpublish(self, request, queryset):
        count = services.article_unpublish(articles=queryset)
        self.message_user(
            request,
            _("%(count)d article(s) moved to draft.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ArticleVote)
class ArticleVoteAdmin(admin.ModelAdmin):
    list_display = ["article", "is_helpful", "reason", "comment", "updated_at"]
    list_filter = ["is_helpful", "reason", "article__language", "article__category"]
    search_fields = ["article__title", "comment"]
    list_select_related = ["article"]
    readonly_fields = [
        "article",
        "is_helpful",
        "reason",
        "comment",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["article", "is_helpful", "reason", "comment"]}),
        (
            _("Advanced"),
            {"classes": ["collapse"], "fields": ["created_at", "updated_at"]},
        ),
    ]

    def has_add_permission(self, request):
        return False
