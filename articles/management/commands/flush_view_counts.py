from django.core.management.base import BaseCommand

from articles.search.services import search_flush_analytics
from articles.services import article_flush_view_counts


class Command(BaseCommand):
    help = (
        "Move view counts and searches pending in the cache to the database "
        "(run every few minutes)."
    )

    def handle(self, *args, **options):
        moved = article_flush_view_counts()
        self.stdout.write(f"flushed {moved} view(s)")
        written = search_flush_analytics()
        self.stdout.write(f"flushed {written} search(es)")
