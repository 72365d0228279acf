"""Load the demo help center: articles, channels, a staff login, the help
desk's targets, canned replies and notice, and a few demo tickets.

Idempotent: running it again changes nothing that is already in place, and
an existing demo account keeps its password. The demo account is a support
agent (the "Support agents" group), never a superuser; an older superuser
``demo`` is restricted to that. The demo tickets send no e-mail.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.importing import CATEGORIES_FILE, import_categories
from channels.tickets.demo import demo_tickets_load
from channels.tickets.services import ticket_status_url
from helpcenter.accounts.services import DEMO_PASSWORD, DEMO_USERNAME, demo_staff_ensure
from helpcenter.accounts.signin import two_factor_required


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
        user, _created = demo_staff_ensure(
            username=DEMO_USERNAME, password=DEMO_PASSWORD
        )
        call_command("load_desk", str(content / "desk.yaml"), stdout=self.stdout)
        tickets = yaml.safe_load(
            (content / "demo_tickets.yaml").read_text(encoding="utf-8")
        )["tickets"]
        created, shown = demo_tickets_load(items=tickets, now=timezone.now())
        self.stdout.write(f"Added {created} demo ticket(s) (no e-mail sent).")
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
        if two_factor_required():
            self.stdout.write(
                "  two-factor: required (HELPCENTER_REQUIRE_2FA); the first "
                "sign-in asks to set up an authenticator app.\n"
            )
        if shown is not None:
            self.stdout.write(
                f"Demo request {shown.reference} as its requester sees it:\n"
                f"  {ticket_status_url(ticket=shown)}\n"
            )
