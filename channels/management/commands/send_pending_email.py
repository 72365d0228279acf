"""Send the outbox: e-mails kept to be sent after their request.

Run it every minute from cron or a systemd timer (see the README), or keep
it running with ``--watch``: it then sends what is due every ``--interval``
seconds (1 by default) until stopped (SIGTERM or Ctrl-C, after the pass in
hand). Each failure pushes that e-mail's next attempt back (1, 2, 4 ...
minutes, at most 4 hours); ``--all`` ignores the backoff, for use right
after the mail server is fixed.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from channels.tickets import services
from channels.tickets.models import OutboundEmail


class Command(BaseCommand):
    help = "Send the e-mails kept in the outbox (ticket confirmations, replies)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Try every pending e-mail now, whatever its backoff.",
        )
        parser.add_argument(
            "--watch",
            action="store_true",
            help="Keep running, sending what is due every --interval seconds.",
        )
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        if options["watch"]:
            self._watch(options["interval"])
            return
        sent, failed = services.email_send_pending(ignore_backoff=options["all"])
        pending = OutboundEmail.objects.pending().count()
        self.stdout.write(
            f"Sent {sent} e-mail(s); {failed} failed; {pending} still pending."
        )

    def _watch(self, interval: float) -> None:
        stop = threading.Event()
        previous = {
            number: signal.signal(number, lambda *_args: stop.set())
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        self.stdout.write(f"Sending the outbox every {interval:g} s until stopped.")
        try:
            services.email_send_watch(
                interval=interval, stop=stop, on_pass=self._report
            )
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        self.stdout.write("Stopped.")

    def _report(self, sent: int, failed: int) -> None:
        if sent or failed:
            self.stdout.write(f"Sent {sent} e-mail(s); {failed} failed.")
