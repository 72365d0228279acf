from django.core.management.base import BaseCommand

from channels.tickets import services


class Command(BaseCommand):
    help = "Send the e-mails that could not be sent before (e.g. ticket confirmations)."

    def handle(self, *args, **options):
        sent, failed = services.email_send_pending()
        self.stdout.write(f"Sent {sent} e-mail(s); {failed} still pending.")
