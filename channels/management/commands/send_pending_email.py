"""Send the outbox: e-mails that could not be sent when they were made.

Run it every minute from cron or a systemd timer (see the README). Each
failure pushes that e-mail's next attempt back (1, 2, 4 ... minutes, at
most 4 hours); ``--all`` ignores the backoff, for use right after the mail
server is fixed.
"""

from django.core.management.base import BaseCommand

from channels.tickets import services
from channels.tickets.models import OutboundEmail


class Command(BaseCommand):
    help = "Send the e-mails that could not be sent before (e.g. ticket confirmations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Try every pending e-mail now, whatever its backoff.",
        )

    def handle(self, *args, **options):
        sent, failed = services.email_send_pending(ignore_backoff=options["all"])
        pending = OutboundEmail.objects.pending().count()
        self.stdout.write(
            f"Sent {sent} e-mail(s); {failed} failed; {pending} still pending."
        )
