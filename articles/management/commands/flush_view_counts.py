from django.core.management.base import BaseCommand

from articles.services import article_flush_view_counts


class Command(BaseCommand):
    help = (
        "Move view counts pending in the cache to the database (run every few minutes)."
    )

    def handle(self, *args, **options):
        moved = article_flush_view_counts()
        self.stdout.write(f"flushed {moved} view(s)")
