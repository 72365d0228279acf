from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importing import import_articles


class Command(BaseCommand):
    help = "Import Markdown articles with YAML front matter from a file or a folder."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--confirm-contacts",
            action="store_true",
            help=(
                "Import files whose text names contacts that are not official "
                "channels (checked by you). Known scam contacts are refused anyway."
            ),
        )

    def handle(self, *args, path: Path, confirm_contacts: bool, **options):
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        report = import_articles(path, confirm_contacts=confirm_contacts)
        failed = len(report.failed)
        for failed_path, reason in report.failed:
            self.stderr.write(f"{failed_path}: {reason}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, failed {failed}"
        )
        if report.failed:
            raise CommandError(f"{failed} file(s) could not be imported")
