"""Load the demo help center: articles, channels and a staff login.

Idempotent: running it again changes nothing that is already in place, and
an existing demo account keeps its password.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from articles.importing import CATEGORIES_FILE, import_categories

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-staff-2026"


class Command(BaseCommand):
    help = "Load the demo content and create the demo staff account."

    def add_arguments(self, parser):
        parser.add_argument(
            "--content", type=Path, default=settings.BASE_DIR / "content"
        )

    def handle(self, *args, content: Path, **options):
        # Channels before articles: an article may only name contacts that
        # are official channels, so those must exist when it is imported;
        # and the channels' "best for" needs the categories first.
        import_categories(content / CATEGORIES_FILE)
        call_command(
            "load_channels",
            str(content / "channels.yaml"),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        call_command(
            "import_articles", str(content), stdout=self.stdout, stderr=self.stderr
        )
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        site = settings.HELPCENTER_SITE_URL.rstrip("/")
        password = (
            DEMO_PASSWORD
            if user.check_password(DEMO_PASSWORD)
            else "(changed since it was created)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nHelp center:  {site}/\n"
                f"Staff admin:  {site}/admin/\n"
                f"  username:   {DEMO_USERNAME}\n"
                f"  password:   {password}\n"
            )
        )
