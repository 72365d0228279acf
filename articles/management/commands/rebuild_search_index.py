import time

from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.search import get_backend


class Command(BaseCommand):
    help = (
        "Rebuild the article search index from scratch. Streams through the "
        "articles in primary-key batches, so memory stays bounded, then "
        "compacts the index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        backend = get_backend()
        total = Article.objects.count()
        started = time.monotonic()
        done = 0
        last_pk = 0
        with transaction.atomic():
            backend.clear()
        while True:
            # Keyset pagination: each batch is one indexed range query, and
            # only one batch of articles (with its tags) is held at a time.
            batch = list(
                Article.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .prefetch_related("tags")[:batch_size]
            )
            if not batch:
                break
            with transaction.atomic():
                backend.index(batch)
            done += len(batch)
            last_pk = batch[-1].pk
            percent = 100 * done // total if total else 100
            self.stdout.write(f"Indexed {done}/{total} articles ({percent}%)")
        backend.optimize()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt: {done} articles in {elapsed:.1f}s."
            )
        )
