from pathlib import Path

from django.core.management.base import BaseCommand

from articles.importing import export_articles


class Command(BaseCommand):
    help = (
        "Export every article as Markdown with YAML front matter, plus categories.yaml."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        count = export_articles(directory)
        self.stdout.write(f"exported {count} article(s) to {directory}")
