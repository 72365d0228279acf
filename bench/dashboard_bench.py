"""Staff dashboard benchmark: its figures over 100,000 tickets.

    .venv/bin/python bench/dashboard_bench.py                 # SQLite, 100,000
    .venv/bin/python bench/dashboard_bench.py --tickets 10000 --runs 10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dashboard_bench \\
        .venv/bin/python bench/dashboard_bench.py

The database (by default a SQLite file in the system temporary directory,
named after the ticket count and seed; else the one ``DATABASE_URL`` names)
is migrated and, when it does not hold the expected tickets yet, filled with
``bulk_create``: tickets spread over 120 days across topics, priorities and
statuses with first replies, resolutions, late ones and ratings, plus
searches, article votes and checked contacts. It is kept, so a second run
skips the build (``--rebuild`` forces one). Then the dashboard's selector
and a full render of ``/admin/dashboard/`` by a staff user through the test
client are timed over ``--runs`` runs each; p50/p95 and the query count are
printed as JSON.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    # The page is measured, not the sign-in: a forced login has no TOTP device.
    os.environ["HELPCENTER_REQUIRE_2FA"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(count: int, seed: int) -> float:
    """Fill the database with ``count`` tickets and the rest; return seconds."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, ArticleVote, Category
    from articles.search.models import SearchQuery
    from channels.models import ContactLookup
    from channels.tickets.models import Ticket, TicketRating, Topic

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    with transaction.atomic():
        for model in (TicketRating, Ticket, ArticleVote, SearchQuery, ContactLookup):
            model.objects.all().delete()
        category = Category.objects.get_or_create(
            slug="bench", defaults={"name_zh_hans": "基准", "name_en": "Bench"}
        )[0]
        topics = [
            Topic.objects.get_or_create(
                slug=f"bench-{kind}-{n}",
                defaults={
                    "name_zh_hans": f"主题 {kind} {n}",
                    "name_en": f"Topic {kind} {n}",
                    "kind": kind,
                    "category": category,
                },
            )[0]
            for kind in Topic.Kind.values
            for n in range(2)
        ]
        articles = [
            Article.objects.get_or_create(
                slug=f"bench-{n}",
                language="zh-hans",
                defaults={
                    "title": f"基准文章 {n}",
                    "body": "正文",
                    "category": category,
                    "status": Article.Status.PUBLISHED,
                },
            )[0]
            for n in range(50)
        ]
    statuses = (
        [Ticket.Status.CLOSED] * 50
        + [Ticket.Status.RESOLVED] * 25
        + [Ticket.Status.WAITING] * 8
        + [Ticket.Status.OPEN] * 10
        + [Ticket.Status.NEW] * 7
    )
    targets = {
        "urgent": (1, 24),
        "high": (4, 48),
        "normal": (24, 120),
        "low": (48, 240),
    }
    priorities = ["normal"] * 70 + ["high"] * 20 + ["low"] * 7 + ["urgent"] * 3
    for start in range(0, count, BATCH):
        tickets = []
        for number in range(start, min(start + BATCH, count)):
            created = now - rng.random() * 120 * 24 * hour
            priority = rng.choice(priorities)
            first_target, resolution_target = targets[priority]
            status = rng.choice(statuses)
            ticket = Ticket(
                reference=f"CW-BENCH-{number:07d}",
                token_hash="0" * 64,
                topic=rng.choice(topics),
                language=rng.choice(["zh-hans", "en"]),
                email=f"user{number}@example.com",
                subject="Bench",
                message="Bench",
                status=status,
                priority=priority,
                created_at=created,
                first_response_due_at=created + first_target * hour,
                resolution_due_at=created + resolution_target * hour,
            )
            if status != Ticket.Status.NEW:
                # Log-normal reply times: most within target, a long tail late.
                ticket.first_response_at = created + hour * min(
                    rng.lognormvariate(1.5, 1.2), 24 * 30
                )
            if status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
                ticket.resolved_at = created + hour * min(
                    rng.lognormvariate(3.3, 1.0), 24 * 60
                )
            tickets.append(ticket)
        with transaction.atomic():
            made = Ticket.objects.bulk_create(tickets)
            if not made or made[0].pk is None:
                made = list(
                    Ticket.objects.filter(
                        reference__in=[t.reference for t in tickets]
                    ).only("pk", "resolved_at")
                )
            TicketRating.objects.bulk_create(
                TicketRating(
                    ticket=ticket,
                    rating=rng.choice([5, 5, 5, 4, 4, 3, 2, 1]),
                    created_at=ticket.resolved_at + hour,
                )
                for ticket in made
                if ticket.resolved_at and rng.random() < 0.4
            )
    with transaction.atomic():
        words = [f"查询{n}" for n in range(400)]
        SearchQuery.objects.bulk_create(
            SearchQuery(
                query=rng.choice(words),
                language="zh-hans",
                result_count=0 if rng.random() < 0.15 else rng.randint(1, 30),
            )
            for _ in range(count // 5)
        )
        voters = iter(range(10**9))
        ArticleVote.objects.bulk_create(
            ArticleVote(
                article=rng.choice(articles),
                is_helpful=rng.random() < 0.7,
                voter=f"voter-{next(voters)}",
            )
            for _ in range(count // 10)
        )
        ContactLookup.objects.bulk_create(
            ContactLookup(value=f"fake-{n}.example", lookup_count=rng.randint(1, 500))
            for n in range(count // 20)
        )
    return time.perf_counter() - started


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }


def _measure(runs: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from channels.tickets import reports

    selector, page = [], []
    for _ in range(runs):
        started = time.perf_counter()
        figures = reports.dashboard_get(now=timezone.now())
        selector.append(time.perf_counter() - started)
    user = get_user_model().objects.get_or_create(
        username="dashboard-bench", defaults={"is_staff": True, "is_superuser": True}
    )[0]
    client = Client()
    client.force_login(user)
    url = reverse("dashboard")
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            page.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as selector_queries:
        reports.dashboard_get(now=timezone.now())
    month = figures.windows[-1]
    return {
        "selector": {**_percentiles(selector), "queries": len(selector_queries)},
        "page": {**_percentiles(page), "queries": len(queries)},
        "figures": {
            "open": figures.open_total,
            "created_30d": month.created,
            "first_response_median_30d": str(month.first_response_median),
            "first_response_within_30d": round(month.first_response_within or 0, 3),
            "resolution_median_30d": str(month.resolution_median),
            "resolution_rate_30d": round(month.resolution_rate or 0, 3),
            "ratings": figures.rating_count,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(
        Path(tempfile.gettempdir())
        / f"helpcenter-dashboard-bench-{args.tickets}-{args.seed}.sqlite3"
    )
    _setup(database_url)
    from django.db import connection

    from channels.tickets.models import Ticket

    built = None
    reused = not args.rebuild and (
        Ticket.objects.filter(reference__startswith="CW-BENCH-").count() == args.tickets
    )
    if not reused:
        built = round(_build(args.tickets, args.seed), 1)
    result = {
        "engine": connection.vendor,
        "tickets": args.tickets,
        "runs": args.runs,
        "reused": reused,
        "build_s": built,
        **_measure(args.runs),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
