import datetime
import itertools

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import ArticleVote
from articles.search.models import SearchQuery
from channels.models import ContactLookup
from channels.tickets import reports
from channels.tickets.models import Ticket, TicketRating
from tests.factories import make_article, make_topic

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
_numbers = itertools.count(1)


def _ticket(topic, created_at, *, first_after=None, resolved_after=None, **fields):
    """A ticket created at ``created_at`` with targets 24 h / 5 days unless given."""
    number = next(_numbers)
    values = {
        "reference": f"CW-TEST-{number:04d}",
        "token_hash": "x" * 64,
        "topic": topic,
        "language": "zh-hans",
        "email": f"user{number}@example.com",
        "subject": "Subject",
        "message": "Message",
        "created_at": created_at,
        "first_response_due_at": created_at + 24 * HOUR,
        "resolution_due_at": created_at + 5 * DAY,
    }
    if first_after is not None:
        values["first_response_at"] = created_at + first_after
    if resolved_after is not None:
        values["resolved_at"] = created_at + resolved_after
    values.update(fields)
    return Ticket.objects.create(**values)


def _rate(ticket, rating, created_at):
    return TicketRating.objects.create(
        ticket=ticket, rating=rating, created_at=created_at
    )


@pytest.fixture
def known(db):
    """Tickets, ratings, searches, votes and lookups with known figures."""
    now = timezone.now()
    wallet = make_topic(name_zh_hans="钱包", name_en="Wallet")
    login = make_topic(name_zh_hans="登录", name_en="Login")
    a = _ticket(
        wallet,
        now - DAY,
        first_after=HOUR,
        resolved_after=10 * HOUR,
        status=Ticket.Status.RESOLVED,
    )
    _ticket(
        wallet,
        now - 2 * DAY,
        first_after=3 * HOUR,
        first_response_due_at=now - 2 * DAY + 2 * HOUR,
        status=Ticket.Status.OPEN,
    )
    _ticket(
        wallet,
        now - 3 * DAY,
        first_response_due_at=now - 3 * DAY + HOUR,
        status=Ticket.Status.NEW,
    )
    d = _ticket(
        login,
        now - 20 * DAY,
        first_after=5 * HOUR,
        resolved_after=30 * HOUR,
        resolution_due_at=now - 20 * DAY + DAY,
        status=Ticket.Status.CLOSED,
    )
    e = _ticket(login, now - 40 * DAY, status=Ticket.Status.WAITING)
    _rate(a, 5, now - 12 * HOUR)
    _rate(d, 2, now - 15 * DAY)
    _rate(e, 4, now - 39 * DAY)
    for query, results, times in [("转账", 4, 3), ("xyzzy", 0, 2), ("old", 0, 1)]:
        for _ in range(times):
            SearchQuery.objects.create(
                query=query, language="zh-hans", result_count=results
            )
    SearchQuery.objects.filter(query="old").update(created_at=now - 40 * DAY)
    unclear = make_article(title="难懂的文章")
    outdated = make_article(title="过时的文章")
    liked = make_article(title="好文章")
    votes = [
        (unclear, False, 3),
        (unclear, True, 1),
        (outdated, False, 1),
        (liked, True, 2),
    ]
    voter = itertools.count(1)
    for article, helpful, times in votes:
        for _ in range(times):
            ArticleVote.objects.create(
                article=article, is_helpful=helpful, voter=f"v{next(voter)}"
            )
    for value, count in [
        ("fake-support.example", 5),
        ("@cobalt_help", 9),
        ("+1 555", 1),
    ]:
        ContactLookup.objects.create(value=value, lookup_count=count)
    return now


def test_dashboard_window_figures_on_known_tickets(known):
    week, month = (
        reports.ticket_window_figures(days=days, now=known) for days in (7, 30)
    )

    assert (week.created, week.done, week.resolution_rate) == (
        3,
        1,
        pytest.approx(1 / 3),
    )
    assert week.first_response_median == 2 * HOUR
    assert (week.first_response_within, week.first_response_measured) == (
        pytest.approx(1 / 3),
        3,
    )
    assert week.resolution_median == 10 * HOUR
    assert (week.resolution_within, week.resolution_measured) == (1.0, 1)
    assert (week.rating_average, week.rating_count) == (5.0, 1)

    assert (month.created, month.done, month.resolution_rate) == (4, 2, 0.5)
    assert month.first_response_median == 3 * HOUR
    assert (month.first_response_within, month.first_response_measured) == (0.5, 4)
    assert month.resolution_median == 20 * HOUR
    assert (month.resolution_within, month.resolution_measured) == (0.5, 2)
    assert (month.rating_average, month.rating_count) == (3.5, 2)


def test_dashboard_open_counts_and_lists(known):
    figures = reports.dashboard_get(now=known)

    assert figures.open_total == 3
    assert [(str(label), count) for label, count in figures.open_by_status] == [
        ("已提交", 1),
        ("处理中", 1),
        ("待补充", 1),
    ]
    assert figures.open_by_topic == [("钱包", 2), ("登录", 1)]
    assert (round(figures.rating_average, 2), figures.rating_count) == (3.67, 3)
    assert [(r["query"], r["searches"]) for r in figures.top_searches] == [
        ("转账", 3),
        ("xyzzy", 2),
    ]
    assert [(r["query"], r["searches"]) for r in figures.zero_result_searches] == [
        ("xyzzy", 2)
    ]
    assert [
        (r["title"], r["not_helpful"], r["helpful"]) for r in figures.least_helpful
    ] == [("难懂的文章", 3, 1), ("过时的文章", 1, 0)]
    assert [(c.value, c.lookup_count) for c in figures.contact_lookups] == [
        ("@cobalt_help", 9),
        ("fake-support.example", 5),
        ("+1 555", 1),
    ]


def test_dashboard_empty_database_shows_no_figures(db):
    figures = reports.dashboard_get(now=timezone.now())

    assert figures.open_total == 0
    assert figures.windows[0].first_response_median is None
    assert figures.windows[0].resolution_rate is None
    assert figures.rating_average is None


def _expected_queries():
    # Sessions, user; then open counts, topics, all ratings, per window
    # (counts, ratings; on SQLite each median), searches twice, votes, lookups.
    per_window = 2 if connection.vendor == "postgresql" else 4
    return 2 + 3 + 2 * per_window + 4


def test_dashboard_page_shows_figures_in_chinese(client, staff_user, known):
    client.force_login(staff_user)

    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assertContains(response, "客服概览")
    assertContains(response, "<td>2 小时 00 分钟</td>", html=True)
    assertContains(response, "<td>50% (4)</td>", html=True)
    assertContains(response, "3.5 / 5")
    assertContains(response, "难懂的文章")
    assertContains(response, "@cobalt_help")
    assertContains(response, reverse("admin:articles_searchquery_report"))


def test_dashboard_page_in_english(client, staff_user, known):
    client.force_login(staff_user)

    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")

    assertContains(response, "Support dashboard")
    assertContains(response, "3 open requests")
    assertContains(response, "Weekly search report")


def test_dashboard_query_count_does_not_grow_with_tickets(
    client, staff_user, known, django_assert_num_queries
):
    client.force_login(staff_user)
    with django_assert_num_queries(_expected_queries()):
        client.get(reverse("dashboard"))
    topic = make_topic()
    for hours in range(1, 30):
        _ticket(topic, known - hours * HOUR, first_after=HOUR, status="open")

    with django_assert_num_queries(_expected_queries()):
        response = client.get(reverse("dashboard"))

    assertContains(response, "32")


def test_dashboard_refuses_visitors(client, known):
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_dashboard_refuses_non_staff(client, django_user_model, known):
    user = django_user_model.objects.create_user(username="reader", password="pw")
    client.force_login(user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assertNotContains(response, "fake-support.example", status_code=302)


def test_admin_index_links_dashboard(client, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    assertContains(response, f'href="{reverse("dashboard")}"')
