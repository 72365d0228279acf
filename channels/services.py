"""Writes with side effects: tickets, their e-mails, reports and lookups."""

import dataclasses
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels import secrets as secret_scan
from channels import verify
from channels.models import (
    ContactLookup,
    ContactReport,
    KnownScamContact,
    OutboundEmail,
    SupportChannel,
    Ticket,
    TicketAttachment,
    token_hash,
)
from channels.uploads import Screenshot

logger = logging.getLogger(__name__)

# Crockford's base32 without the letters that read as digits (I, L, O, U):
# easy to read aloud and to type. 8 characters give 32**8, about 10**12,
# references, so one cannot be guessed from another.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8
MAX_EMAIL_ATTEMPTS = 10


@dataclasses.dataclass(frozen=True)
class TicketReceipt:
    ticket: Ticket
    token: str  # empty when the submission key had already made the ticket
    created: bool


def ticket_new_reference() -> str:
    """Return a random reference such as ``CW-7K3M-9QX2`` (not checked for use)."""
    chars = "".join(
        secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH)
    )
    return f"CW-{chars[:4]}-{chars[4:]}"


def ticket_status_path(*, ticket: Ticket, token: str, language: str) -> str:
    """Return the secret status link's path in ``language``."""
    with translation.override(language):
        return reverse(
            "channels:ticket_status",
            kwargs={"reference": ticket.reference, "token": token},
        )


def ticket_create(
    *,
    category,
    email: str,
    subject: str,
    message: str,
    language: str,
    submission_key: str,
    name: str = "",
    article=None,
    details: dict | None = None,
    screenshots: list[Screenshot] = (),
) -> TicketReceipt:
    """Save a ticket, its screenshots and its confirmation e-mail, then send.

    The rows are written in one transaction; the e-mail is sent after the
    commit, and a failure to send leaves it pending for
    ``manage.py send_pending_email`` (the ticket stays saved either way).
    A ``submission_key`` already used returns the existing ticket with
    ``created=False`` and writes nothing.
    """
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing:
        return TicketReceipt(existing, "", created=False)
    token = secrets.token_urlsafe(24)
    stored: list[str] = []
    try:
        with transaction.atomic():
            ticket = _ticket_save(
                category=category,
                email=email,
                subject=subject,
                message=message,
                language=language,
                submission_key=submission_key,
                name=name,
                article=article,
                details=details or {},
                token=token,
            )
            for screenshot in screenshots:
                attachment = _attachment_save(ticket=ticket, screenshot=screenshot)
                stored.append(attachment.file.name)
            outgoing = _confirmation_queue(ticket=ticket, token=token)
    except Exception as error:
        # The rows were rolled back; files are not transactional, so the
        # screenshots written so far go too, leaving nothing behind.
        for name in stored:
            default_storage.delete(name)
        if not isinstance(error, IntegrityError):
            raise
        # A concurrent retry of the same POST won the race for the key.
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return TicketReceipt(existing, "", created=False)
    if outgoing is not None:
        email_send(outgoing=outgoing)
    return TicketReceipt(ticket, token, created=True)


def _ticket_save(*, token: str, details: dict, **fields) -> Ticket:
    channel = SupportChannel.objects.filter(kind=SupportChannel.Kind.WEB_FORM).first()
    for _attempt in range(5):
        reference = ticket_new_reference()
        if not Ticket.objects.filter(reference=reference).exists():
            break
    return Ticket.objects.create(
        reference=reference,
        token_hash=token_hash(token),
        channel=channel,
        **fields,
        **details,
    )


def _attachment_save(*, ticket: Ticket, screenshot: Screenshot) -> TicketAttachment:
    attachment = TicketAttachment(
        ticket=ticket,
        content_type=screenshot.content_type,
        width=screenshot.width,
        height=screenshot.height,
        size=len(screenshot.content),
    )
    attachment.file.save(screenshot.name, ContentFile(screenshot.content), save=False)
    attachment.save()
    return attachment


def _confirmation_queue(*, ticket: Ticket, token: str) -> OutboundEmail | None:
    path = ticket_status_path(ticket=ticket, token=token, language=ticket.language)
    with translation.override(ticket.language):
        # The subject holds only our own text and the reference: nothing the
        # user typed can reach an e-mail header.
        subject = _("We received your request %(reference)s") % {
            "reference": ticket.reference
        }
        body = render_to_string(
            "channels/email/ticket_confirmation.txt",
            # Only the reference, staff-written names, the date and fixed
            # wording, never the ticket itself: a scammer who types a
            # victim's address must not make the official mailbox send the
            # victim the scammer's words.
            {
                "reference": ticket.reference,
                "topic": ticket.category.name,
                "received": ticket.created_at,
                "status_url": settings.HELPCENTER_SITE_URL.rstrip("/") + path,
                "product_name": settings.HELPCENTER_PRODUCT_NAME,
            },
        )
    if secret_scan.scan_fields([("subject", subject), ("body", body)]).refused:
        # The form refuses secrets first; should one get this far anyway,
        # the ticket is kept but the mail is never queued (nor sent).
        logger.error("Confirmation of %s not queued: secret-like text", ticket.pk)
        return None
    return OutboundEmail.objects.create(
        ticket=ticket, to=ticket.email, subject=subject, body=body
    )


def email_send(*, outgoing: OutboundEmail) -> bool:
    """Try to send one kept e-mail; return True when it went out.

    Never raises: a failure is counted on the row, which stays pending with
    its body. A sent e-mail's body is blanked in the same update that marks
    it sent.
    """
    try:
        EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.to],
        ).send()
    except Exception as error:  # noqa: BLE001 - any backend failure is kept
        outgoing.attempts += 1
        outgoing.last_error = f"{type(error).__name__}: {error}"[:300]
        outgoing.save(update_fields=["attempts", "last_error"])
        logger.warning("E-mail %s not sent: %s", outgoing.pk, type(error).__name__)
        return False
    outgoing.attempts += 1
    outgoing.status = OutboundEmail.Status.SENT
    outgoing.sent_at = timezone.now()
    outgoing.last_error = ""
    # The body holds the status link: once delivered it has no use here, and
    # a copy of the table must not hand it out. Recipient, subject and dates
    # stay for the record.
    outgoing.body = ""
    outgoing.save(
        update_fields=["attempts", "status", "sent_at", "last_error", "body"]
    )
    return True


def email_send_pending(*, max_attempts: int = MAX_EMAIL_ATTEMPTS) -> tuple[int, int]:
    """Send every pending e-mail tried fewer than ``max_attempts`` times.

    Returns ``(sent, failed)``.
    """
    sent = failed = 0
    for outgoing in OutboundEmail.objects.pending().filter(attempts__lt=max_attempts):
        if email_send(outgoing=outgoing):
            sent += 1
        else:
            failed += 1
    return sent, failed


@transaction.atomic
def ticket_mark_answered(*, ticket: Ticket) -> Ticket:
    """Record the first response (once) and move a new ticket to in progress."""
    if ticket.first_response_at is None:
        ticket.first_response_at = timezone.now()
    if ticket.status == Ticket.Status.NEW:
        ticket.status = Ticket.Status.OPEN
    ticket.save(update_fields=["first_response_at", "status", "updated_at"])
    return ticket


def contact_lookup_record(*, contact: verify.Contact) -> None:
    """Count one lookup of a non-official contact, creating its row if new.

    Nothing is stored for a value that looks like a recovery phrase or key:
    users paste those into the checker by mistake.
    """
    if secret_scan.contains_secret(contact.key):
        return
    updated = ContactLookup.objects.filter(value=contact.key).update(
        lookup_count=F("lookup_count") + 1, last_seen_at=timezone.now()
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ContactLookup.objects.create(value=contact.key, lookup_count=1)
    except IntegrityError:
        ContactLookup.objects.filter(value=contact.key).update(
            lookup_count=F("lookup_count") + 1
        )


@transaction.atomic
def contact_report_create(*, contact: str, description: str) -> ContactReport:
    """Save a user's report of a suspicious contact for staff review.

    Raises ``channels.secrets.SecretFound`` (and saves nothing) when the report holds
    anything secret-like; ``ReportForm`` refuses such reports first.
    """
    secret_scan.ensure_no_secret([("contact", contact), ("description", description)])
    normalized = verify.normalize(contact)
    return ContactReport.objects.create(
        contact=contact,
        value=normalized.key if normalized else contact,
        description=description,
    )


@transaction.atomic
def known_scam_add(*, contact: str, note: str = "") -> KnownScamContact:
    """Mark a contact, as pasted, as a known scam; idempotent.

    A value already normalised (``domain:…``) is stored as it is.
    """
    kind, _sep, rest = contact.partition(":")
    if kind in {"phone", "email", "domain", "handle"} and rest:
        value = contact
    else:
        normalized = verify.normalize(contact)
        value = normalized.key if normalized else contact
    scam, _created = KnownScamContact.objects.get_or_create(
        value=value, defaults={"note": note}
    )
    return scam


@transaction.atomic
def contact_report_confirm(*, report: ContactReport) -> KnownScamContact:
    """Mark the reported contact as a known scam and close the report.

    The reporter's description is never copied into the public note: the
    checker shows that note in our name, so only staff write it (in the
    known-scam admin).
    """
    scam = known_scam_add(contact=report.value)
    ContactReport.objects.filter(value=report.value).update(
        status=ContactReport.Status.CONFIRMED
    )
    return scam
