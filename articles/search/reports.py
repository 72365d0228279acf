"""Reads for the search analytics report in the admin."""

import dataclasses
import datetime

from django.db.models import Count, Q
from django.utils import timezone

from articles.search.models import SearchQuery

REPORT_ROWS = 25


@dataclasses.dataclass
class SearchReport:
    """One week of searches: what people looked for and what failed them."""

    week_start: datetime.date
    total: int
    top: list[dict]
    zero_results: list[dict]
    never_opened: list[dict]


def search_report(*, week_start: datetime.date) -> SearchReport:
    """Return the report for the week starting on ``week_start`` (a Monday).

    ``top``: most frequent queries; ``zero_results``: most frequent queries
    that found nothing; ``never_opened``: queries with results of which no
    search led to an opened article. Each row has ``query``, ``language``,
    ``searches`` and ``opened``, most searched first.
    """
    start = timezone.make_aware(datetime.datetime.combine(week_start, datetime.time()))
    week = SearchQuery.objects.filter(
        created_at__gte=start, created_at__lt=start + datetime.timedelta(days=7)
    )
    grouped = (
        week.values("query", "language")
        .annotate(
            searches=Count("pk"),
            opened=Count("pk", filter=Q(opened_article__isnull=False)),
            with_results=Count("pk", filter=Q(result_count__gt=0)),
        )
        .order_by("-searches", "query")
    )
    return SearchReport(
        week_start=week_start,
        total=week.count(),
        top=list(grouped[:REPORT_ROWS]),
        zero_results=list(grouped.filter(with_results=0)[:REPORT_ROWS]),
        never_opened=list(grouped.filter(with_results__gt=0, opened=0)[:REPORT_ROWS]),
    )
