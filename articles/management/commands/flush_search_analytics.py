from django.core.management.base import BaseCommand

from articles.search.services import search_flush_analytics


class Command(BaseCommand):
    help = "Write the searches waiting in the cache to the database (run every few minutes)."

    def handle(self, *args, **options):
        written = search_flush_analytics()
        self.stdout.write(f"flushed {written} search(es)")
