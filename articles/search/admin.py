import datetime

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.search import reports
from articles.search.models import SearchQuery, SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "is_active", "note", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["terms", "note"]
    fieldsets = [
        (None, {"fields": ["terms", "is_active"]}),
        (_("Advanced"), {"classes": ["collapse"], "fields": ["note"]}),
    ]


@admin.register(SearchQuery)
class SearchQueryAdmin(admin.ModelAdmin):
    list_display = [
        "query",
        "language",
        "result_count",
        "opened_article",
        "opened_rank",
        "created_at",
    ]
    list_filter = ["language", "created_at"]
    search_fields = ["query"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in SearchQuery._meta.fields]
    fieldsets = [
        (None, {"fields": ["query", "language", "result_count"]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": ["opened_article", "opened_rank", "created_at"],
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [
            path("report/", report, name="articles_searchquery_report"),
            *super().get_urls(),
        ]

    def report_view(self, request):
        try:
            week = datetime.date.fromisoformat(request.GET.get("week", ""))
        except ValueError:
            week = timezone.localdate()
        if not datetime.date(2000, 1, 1) <= week <= datetime.date(9000, 1, 1):
            # The page links the weeks either side: date.min and date.max
            # have none.
            week = timezone.localdate()
        start = week - datetime.timedelta(days=week.weekday())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Search report"),
            "report": reports.search_report(week_start=start),
            "previous_week": start - datetime.timedelta(days=7),
            "next_week": start + datetime.timedelta(days=7),
        }
        return TemplateResponse(
            request, "admin/articles/searchquery/report.html", context
        )
