"""Reads for the staff dashboard: aggregate figures only.

Every figure is one aggregate query (``Count``, ``Avg``, filtered counts) or,
for medians, one ``percentile_cont`` aggregate on PostgreSQL and an
``ORDER BY … LIMIT 2 OFFSET n`` query on SQLite. No query loads tickets into
Python, so the page costs the same number of queries at 10 tickets or at
100,000 (``bench/dashboard_bench.py`` measures it).
"""

import dataclasses
import datetime

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
)

from articles.models import ArticleVote
from articles.search.models import SearchQuery
from channels.models import ContactLookup
from channels.tickets.models import Ticket, TicketRating, Topic

WINDOWS = (7, 30)
LIST_ROWS = 10
DONE = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


class SecondsBetween(Func):
    """Seconds from the first datetime expression to the second.

    On SQLite, ``julianday()`` arithmetic in SQL: Django's own datetime
    subtraction calls a Python function per row there, several times
    slower over a month of tickets.
    """

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )


FIRST_RESPONSE = SecondsBetween("first_response_at", "created_at")
RESOLUTION = SecondsBetween("resolved_at", "created_at")


class Median(Aggregate):
    """PostgreSQL's exact median of an expression (``percentile_cont``)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _span(seconds: float | None) -> datetime.timedelta | None:
    return None if seconds is None else datetime.timedelta(seconds=round(seconds))


@dataclasses.dataclass
class WindowFigures:
    """Tickets created in the last ``days`` days, and what became of them.

    Shares are fractions (0 to 1) or None when nothing could be measured.
    A ticket counts towards a target's share once its outcome is known:
    answered (or resolved), or past the due time without it.
    """

    days: int
    created: int
    done: int
    resolution_rate: float | None
    first_response_median: datetime.timedelta | None
    first_response_within: float | None
    first_response_measured: int
    resolution_median: datetime.timedelta | None
    resolution_within: float | None
    resolution_measured: int
    rating_average: float | None
    rating_count: int


@dataclasses.dataclass
class Dashboard:
    """Everything the dashboard page shows, ready to render."""

    now: datetime.datetime
    open_total: int
    open_by_status: list[tuple[str, int]]
    open_by_topic: list[tuple[str, int]]
    windows: list[WindowFigures]
    rating_average: float | None
    rating_count: int
    top_searches: list[dict]
    zero_result_searches: list[dict]
    least_helpful: list[dict]
    contact_lookups: list[ContactLookup]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median_by_offset(queryset, expression, count: int):
    """The median of ``expression`` over ``queryset`` of ``count`` rows.

    Reads at most two values: the middle one, or the two middle ones
    averaged when ``count`` is even.
    """
    if not count:
        return None
    values = list(
        queryset.annotate(value=expression)
        .order_by("value")
        .values_list("value", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(values) / len(values)


def ticket_window_figures(*, days: int, now: datetime.datetime) -> WindowFigures:
    """Return the figures of tickets created in the ``days`` days before ``now``.

    Medians are taken over tickets that got a first public reply (first
    response) or were resolved (resolution), measured from creation; the
    ratings are those given in the window. Two queries on PostgreSQL; four
    on SQLite (counts, each median, ratings).
    """
    since = now - datetime.timedelta(days=days)
    tickets = Ticket.objects.filter(created_at__gte=since, created_at__lte=now)
    answered = Q(first_response_at__isnull=False)
    resolved = Q(resolved_at__isnull=False)
    first_late = Q(first_response_at__isnull=True, first_response_due_at__lt=now)
    resolution_late = Q(resolved_at__isnull=True, resolution_due_at__lt=now)
    aggregates = {
        "created": Count("pk"),
        "done": Count("pk", filter=Q(status__in=DONE)),
        "answered": Count("pk", filter=answered),
        "first_within": Count(
            "pk", filter=answered & Q(first_response_at__lte=F("first_response_due_at"))
        ),
        "first_late": Count("pk", filter=first_late),
        "resolved": Count("pk", filter=resolved),
        "resolution_within": Count(
            "pk", filter=resolved & Q(resolved_at__lte=F("resolution_due_at"))
        ),
        "resolution_late": Count("pk", filter=resolution_late),
    }
    is_postgres = connection.vendor == "postgresql"
    if is_postgres:
        aggregates["first_median"] = Median(FIRST_RESPONSE, filter=answered)
        aggregates["resolution_median"] = Median(RESOLUTION, filter=resolved)
    row = tickets.aggregate(**aggregates)
    if is_postgres:
        first_median, resolution_median = row["first_median"], row["resolution_median"]

    else:
        first_median = _median_by_offset(
            tickets.filter(answered), FIRST_RESPONSE, row["answered"]
        )
        resolution_median = _median_by_offset(
            tickets.filter(resolved), RESOLUTION, row["resolved"]
        )
    first_measured = row["answered"] + row["first_late"]
    resolution_measured = row["resolved"] + row["resolution_late"]
    ratings = TicketRating.objects.filter(
        created_at__gte=since, created_at__lte=now
    ).aggregate(average=Avg("rating"), count=Count("pk"))
    return WindowFigures(
        days=days,
        created=row["created"],
        done=row["done"],
        resolution_rate=_share(row["done"], row["created"]),
        first_response_median=_span(first_median),
        first_response_within=_share(row["first_within"], first_measured),
        first_response_measured=first_measured,
        resolution_median=_span(resolution_median),
        resolution_within=_share(row["resolution_within"], resolution_measured),
        resolution_measured=resolution_measured,
        rating_average=ratings["average"],
        rating_count=ratings["count"],
    )


def ticket_open_counts() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Return unresolved tickets counted by status and by topic.

    One grouped query over (status, topic); both lists are summed from its
    few rows, statuses in workflow order and topics busiest first.
    """
    rows = (
        Ticket.objects.unresolved()
        .values("status", "topic")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_status: dict[str, int] = {}
    by_topic: dict[int, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["count"]
        by_topic[row["topic"]] = by_topic.get(row["topic"], 0) + row["count"]
    labels = dict(Ticket.Status.choices)
    statuses = [
        (labels[status], by_status.get(status, 0)) for status in Ticket.UNRESOLVED
    ]
    topics = {topic.pk: topic.name for topic in Topic.objects.filter(pk__in=by_topic)}
    topic_counts = sorted(
        ((topics[pk], count) for pk, count in by_topic.items()),
        key=lambda item: (-item[1], item[0]),
    )
    return statuses, topic_counts


def search_list_top(*, since: datetime.datetime, zero_results: bool = False):
    """Return the most frequent searches since ``since``, most searched first.

    Each row has ``query``, ``language`` and ``searches``; with
    ``zero_results``, only queries that never found anything.
    """
    rows = (
        SearchQuery.objects.filter(created_at__gte=since)
        .values("query", "language")
        .annotate(
            searches=Count("pk"),
            with_results=Count("pk", filter=Q(result_count__gt=0)),
        )
        .order_by("-searches", "query")
    )
    if zero_results:
        rows = rows.filter(with_results=0)
    return list(rows[:LIST_ROWS])


def article_list_least_helpful() -> list[dict]:
    """Return the articles with the most "not helpful" votes.

    Each row has ``article`` (id), ``title``, ``language``, ``not_helpful``
    and ``helpful``; articles no reader found unhelpful are left out.
    """
    return list(
        ArticleVote.objects.values("article")
        .annotate(
            title=F("article__title"),
            language=F("article__language"),
            not_helpful=Count("pk", filter=Q(is_helpful=False)),
            helpful=Count("pk", filter=Q(is_helpful=True)),
        )
        .filter(not_helpful__gt=0)
        .order_by("-not_helpful", "helpful", "title")[:LIST_ROWS]
    )


def dashboard_get(*, now: datetime.datetime) -> Dashboard:
    """Return every figure of the staff dashboard at ``now``.

    A fixed number of queries, whatever the number of tickets, votes or
    searches (pinned by the tests).
    """
    by_status, by_topic = ticket_open_counts()
    ratings = TicketRating.objects.aggregate(average=Avg("rating"), count=Count("pk"))
    since = now - datetime.timedelta(days=max(WINDOWS))
    return Dashboard(
        now=now,
        open_total=sum(count for _label, count in by_status),
        open_by_status=by_status,
        open_by_topic=by_topic,
        windows=[ticket_window_figures(days=days, now=now) for days in WINDOWS],
        rating_average=ratings["average"],
        rating_count=ratings["count"],
        top_searches=search_list_top(since=since),
        zero_result_searches=search_list_top(since=since, zero_results=True),
        least_helpful=article_list_least_helpful(),
        contact_lookups=list(
            ContactLookup.objects.order_by("-lookup_count", "value")[:LIST_ROWS]
        ),
    )
