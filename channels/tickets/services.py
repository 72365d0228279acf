"""Writes with side effects: tickets, their conversation and their e-mails.

Every e-mail holds only support's own words: fixed wording, the reference,
staff-written names and replies, the status link and the never-ask notice.
Nothing the requester typed is ever sent, since anyone can type a victim's
address into the form. Mails are kept in the outbox (``OutboundEmail``) in
the same transaction as the change, and sent after it; a failure to send
leaves them for ``manage.py send_pending_email``, which retries with an
exponential backoff. A request never waits on a mail server that just
failed: after a failure, sends from requests pause for ``EMAIL_PAUSE`` (in
the shared cache, so on every app server) and the outbox catches up.
"""

import dataclasses
import datetime
import logging
import secrets
import threading

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.db import (
    DatabaseError,
    IntegrityError,
    connections,
    transaction,
)
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy

from channels import secrets as secret_scan
from channels.models import SupportChannel
from channels.tickets import links, selectors
from channels.tickets.models import (
    PRIORITY_ORDER,
    OutboundEmail,
    Priority,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketRating,
    Topic,
    token_hash,
)
from channels.tickets.notices import incident_notice_list_for_topic_now
from channels.tickets.selectors import REFERENCE_ALPHABET, sla_due_times
from channels.tickets.topics import priority_for
from channels.uploads import Screenshot
from helpcenter import sharedcache
from helpcenter.i18n import localized

logger = logging.getLogger(__name__)

# 8 characters of REFERENCE_ALPHABET give 32**8, about 10**12, references,
# so one cannot be guessed from another. Reply codes are the same size.
REFERENCE_LENGTH = 8
REPLY_CODE_LENGTH = selectors.REPLY_CODE_LENGTH
# A new ticket whose random reference is already taken tries another.
REFERENCE_ATTEMPTS = 5
# Retries wait 1, 2, 4 ... minutes, at most 4 hours: 20 attempts span about
# two days of mail-server outage before an e-mail is given up (it stays in
# the outbox, pending, for staff to see).
MAX_EMAIL_ATTEMPTS = 20
EMAIL_BACKOFF_FIRST = datetime.timedelta(minutes=1)
EMAIL_BACKOFF_MAX = datetime.timedelta(hours=4)
# After a failure, requests leave their e-mails to the outbox for this long
# instead of each waiting up to EMAIL_TIMEOUT on a mail server that is down.
EMAIL_PAUSE_SECONDS = 60
EMAIL_PAUSE_KEY = "outbox:paused"
# One run of send_pending_email stops after this many failures in a row:
# the server is down, and the rest would only wait out their timeouts.
EMAIL_RUN_MAX_FAILURES = 3
# A resolved request can be reopened by a reply for this long; after that
# the status page offers a new request that links the old one.
REOPEN_WINDOW = datetime.timedelta(days=7)
NUDGE_INTERVAL = datetime.timedelta(days=1)


class TicketError(Exception):
    """A change the ticket's state does not allow; ``code`` says which."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class TicketConflict(TicketError):
    """The ticket changed since the caller read it (optimistic locking).

    ``current`` is the ticket as it is now; ``changes`` lists
    ``(field verbose name, value read, value now)`` for what differs.
    """

    def __init__(self, *, current: Ticket, changes: list[tuple[str, str, str]]):
        super().__init__(
            _("Someone else changed this request in the meantime."), code="conflict"
        )
        self.current = current
        self.changes = changes


class ReplyNotAllowed(TicketError):
    """A requester reply to a closed request, or a resolved one past 7 days.

    Codes: ``closed``, ``reopen_window_passed``. Offer a new request with
    ``parent`` set to this one instead.
    """


class NudgeNotAllowed(TicketError):
    """Codes: ``not_waiting_on_us``, ``answered``, ``not_due``, ``too_soon``."""


class RatingNotAllowed(TicketError):
    """Codes: ``not_resolved``, ``already_rated``, ``invalid``."""


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


def reply_code_new() -> str:
    """Return a random reply code such as ``R7K3-M9QX`` (not checked for use)."""
    chars = "".join(
        secrets.choice(REFERENCE_ALPHABET) for _i in range(REPLY_CODE_LENGTH)
    )
    return f"{chars[:4]}-{chars[4:]}"


def ticket_status_path(*, ticket: Ticket, token: str, language: str) -> str:
    """Return the secret status link's path in ``language``."""
    return links.status_path(reference=ticket.reference, token=token, language=language)


def ticket_mail_status_url(*, ticket: Ticket) -> str:
    """Return the status link as our e-mails carry it: with the mailbox
    proof that lets the page set the anti-phishing phrase."""
    url = ticket_status_url(ticket=ticket)
    proof = links.mailbox_proof(
        reference=ticket.reference, status_key=ticket.status_key
    )
    return f"{url}?m={proof}"


def ticket_status_url(*, ticket: Ticket) -> str:
    """Return the ticket's absolute status link, in the ticket's language.

    A ticket made before status keys existed gets one now (saved), so the
    link its first e-mail carried keeps working alongside this one.
    """
    if not ticket.status_key:
        ticket.status_key = links.new_status_key()
        Ticket.objects.filter(pk=ticket.pk).update(status_key=ticket.status_key)
    token = links.status_token(reference=ticket.reference, status_key=ticket.status_key)
    return links.absolute(
        ticket_status_path(ticket=ticket, token=token, language=ticket.language)
    )


def ticket_create(
    *,
    topic: Topic,
    email: str,
    subject: str,
    message: str,
    language: str,
    submission_key: str,
    name: str = "",
    article=None,
    details: dict | None = None,
    screenshots: list[Screenshot] = (),
    parent: Ticket | None = None,
    channel_kind: str = SupportChannel.Kind.WEB_FORM,
) -> TicketReceipt:
    """Save a ticket, its screenshots and its confirmation e-mail, then send.

    The one place that spots a repeated submission: a ``submission_key``
    already used returns the existing ticket with ``created=False`` and
    writes nothing, also when a concurrent retry wins the race. The rows are
    written in one transaction; the e-mail is sent after the commit, and a
    failure to send leaves it pending (the ticket stays saved either way).
    The priority follows the topic's kind and the due times the SLA table.
    ``parent`` links a new request to an earlier one that can no longer be
    reopened. ``channel_kind`` names the channel it came through (the web
    form, or in-app support for the API), counted in that channel's
    response times.
    """
    # No look-up first: the unique submission key refuses a repeat inside the
    # transaction (rolled back below), and the unique reference a reference
    # already taken, which saves every new ticket two queries.
    status_key = links.new_status_key()
    fields = {
        "topic": topic,
        "email": email,
        "subject": subject,
        "message": message,
        "language": language,
        "submission_key": submission_key,
        "name": name,
        "article": article,
        "parent": parent,
    }
    for attempt in range(REFERENCE_ATTEMPTS):
        stored: list[str] = []
        try:
            with transaction.atomic():
                ticket = _ticket_insert(
                    **fields,
                    reference=ticket_new_reference(),
                    details=details or {},
                    status_key=status_key,
                    channel_kind=channel_kind,
                )
                for screenshot in screenshots:
                    attachment = _attachment_save(ticket=ticket, screenshot=screenshot)
                    stored.append(attachment.file.name)
                outgoing = _confirmation_queue(ticket=ticket)
            break
        except Exception as error:
            # The rows were rolled back; files are not transactional, so the
            # screenshots written so far go too, leaving nothing behind.
            for name in stored:
                default_storage.delete(name)
            if not isinstance(error, IntegrityError):
                raise
            # A retry of the same POST: its first attempt holds the key.
            existing = Ticket.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return TicketReceipt(existing, "", created=False)
            # Else the random reference was taken (odds: the tickets stored
            # in 32**8, about 10**12): try another.
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    if outgoing is not None:
        email_send_soon(outgoing=outgoing)
    token = links.status_token(reference=ticket.reference, status_key=status_key)
    return TicketReceipt(ticket, token, created=True)


def _ticket_insert(
    *, reference: str, details: dict, status_key: str, channel_kind: str, **fields
) -> Ticket:
    channel_id = selectors.support_channel_id(kind=channel_kind)
    priority = priority_for(fields["topic"].kind)
    created_at = timezone.now()
    first_due, resolution_due = sla_due_times(
        topic=fields["topic"], priority=priority, created_at=created_at
    )
    token = links.status_token(reference=reference, status_key=status_key)
    return Ticket.objects.create(
        reference=reference,
        token_hash=token_hash(token),
        status_key=status_key,
        channel_id=channel_id,
        priority=priority,
        created_at=created_at,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        **fields,
        **details,
    )


def _attachment_save(
    *, ticket: Ticket, screenshot: Screenshot, event: TicketEvent | None = None
) -> TicketAttachment:
    attachment = TicketAttachment(
        ticket=ticket,
        event=event,
        content_type=screenshot.content_type,
        width=screenshot.width,
        height=screenshot.height,
        size=len(screenshot.content),
    )
    attachment.file.save(screenshot.name, ContentFile(screenshot.content), save=False)
    attachment.save()
    return attachment


def _confirmation_queue(*, ticket: Ticket) -> OutboundEmail | None:
    with translation.override(ticket.language):
        # The subject holds only our own text and the reference: nothing the
        # user typed can reach an e-mail header.
        subject = _("We received your request %(reference)s") % {
            "reference": ticket.reference
        }
    # Only the reference, staff-written names, the date and fixed wording,
    # never the ticket itself: a scammer who types a victim's address must
    # not make the official mailbox send the victim the scammer's words.
    return _email_queue(
        ticket=ticket,
        subject=subject,
        template="channels/tickets/email/ticket_confirmation.txt",
        context={
            "topic": localized(ticket.topic, "name", ticket.language),
            "received": ticket.created_at,
            # Staff-written, so the official mailbox may carry it.
            "notices": [
                (
                    localized(notice, "title", ticket.language),
                    localized(notice, "body", ticket.language),
                )
                for notice in incident_notice_list_for_topic_now(topic=ticket.topic)
            ],
        },
    )


def _email_queue(
    *, ticket: Ticket, subject: str, template: str, context: dict
) -> OutboundEmail | None:
    """Keep one e-mail to the requester in the outbox; return it.

    The template gets ``context`` plus the reference, the status link and
    the product name, rendered in the ticket's language. Returns None (and
    keeps nothing) when the mail would hold secret-like text.
    """
    with translation.override(ticket.language):
        body = render_to_string(
            template,
            {
                **context,
                "reference": ticket.reference,
                "phrase": ticket.antiphishing_phrase,
                "status_url": ticket_mail_status_url(ticket=ticket),
                "product_name": settings.HELPCENTER_PRODUCT_NAME,
            },
        )
    if secret_scan.scan_fields([("subject", subject), ("body", body)]).refused:
        # The forms refuse secrets first; should one get this far anyway,
        # the change is kept but the mail is never queued (nor sent).
        logger.error("E-mail about %s not queued: secret-like text", ticket.pk)
        return None
    return OutboundEmail.objects.create(
        ticket=ticket, to=ticket.email, subject=subject, body=body
    )


def _send_after_commit(outgoing: list[OutboundEmail | None]) -> None:
    """Send the kept e-mails once the current transaction commits.

    Nothing is sent for a change that is rolled back (the admin wraps its
    views in a transaction). In tests, wrap the call in
    ``django_capture_on_commit_callbacks(execute=True)`` to see them sent.
    """
    for item in outgoing:
        if item is not None:
            transaction.on_commit(lambda item=item: email_send_soon(outgoing=item))


def email_backoff(attempts: int) -> datetime.timedelta:
    """Return how long to wait after the ``attempts``-th failed attempt:
    1 minute after the first, doubling, at most ``EMAIL_BACKOFF_MAX``."""
    return min(EMAIL_BACKOFF_FIRST * 2 ** max(attempts - 1, 0), EMAIL_BACKOFF_MAX)


def email_send_soon(*, outgoing: OutboundEmail) -> bool:
    """Send one kept e-mail from a request unless sending is paused.

    Returns True when it went out. While a recent failure paused sending,
    or when ``HELPCENTER_EMAIL_FROM_REQUESTS`` is off, it returns False at
    once and the e-mail waits in the outbox for ``send_pending_email``; a
    new failure starts the pause, so at most one request per
    ``EMAIL_PAUSE_SECONDS`` waits out ``EMAIL_TIMEOUT``.
    """
    if not settings.HELPCENTER_EMAIL_FROM_REQUESTS or sharedcache.is_set(
        EMAIL_PAUSE_KEY
    ):
        return False
    if email_send(outgoing=outgoing):
        return True
    cache.set(EMAIL_PAUSE_KEY, 1, timeout=EMAIL_PAUSE_SECONDS)
    sharedcache.forget()
    return False


def email_send(*, outgoing: OutboundEmail) -> bool:
    """Try to send one kept e-mail; return True when it went out.

    Never raises: a failure is counted on the row, which stays pending with
    its body and the time of its next attempt (``email_backoff``). A sent
    e-mail's body is blanked in the same update that marks it sent. A mail
    server that never answers costs at most ``EMAIL_TIMEOUT`` seconds.
    """
    if not _email_deliver(outgoing=outgoing, connection=None):
        return False
    _emails_mark_sent([outgoing])
    return True


def _email_deliver(*, outgoing: OutboundEmail, connection) -> bool:
    """Hand one e-mail to the mail server (through ``connection``, or a
    connection of its own); on failure count it on the row and say so."""
    try:
        EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.to],
            connection=connection,
        ).send()
    except Exception as error:  # noqa: BLE001 - any backend failure is kept
        outgoing.attempts += 1
        outgoing.last_error = f"{type(error).__name__}: {error}"[:300]
        outgoing.next_attempt_at = timezone.now() + email_backoff(outgoing.attempts)
        outgoing.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        logger.warning("E-mail %s not sent: %s", outgoing.pk, type(error).__name__)
        return False
    return True


def _emails_mark_sent(sent: list[OutboundEmail]) -> None:
    """Mark delivered e-mails sent, in one UPDATE.

    The body holds the status link: once delivered it has no use here, and
    a copy of the table must not hand it out. Recipient, subject and dates
    stay for the record."""
    if not sent:
        return
    now = timezone.now()
    OutboundEmail.objects.filter(pk__in=[outgoing.pk for outgoing in sent]).update(
        attempts=F("attempts") + 1,
        status=OutboundEmail.Status.SENT,
        sent_at=now,
        last_error="",
        body="",
        next_attempt_at=None,
    )
    for outgoing in sent:
        outgoing.attempts += 1
        outgoing.status, outgoing.sent_at = OutboundEmail.Status.SENT, now
        outgoing.last_error, outgoing.body, outgoing.next_attempt_at = "", "", None


# E-mails marked sent together by a run of email_send_pending: a sender
# stopped outright between sending and marking sends these again.
EMAIL_MARK_EVERY = 50


def email_send_pending(
    *, max_attempts: int = MAX_EMAIL_ATTEMPTS, now=None, ignore_backoff: bool = False
) -> tuple[int, int]:
    """Send the pending e-mails that are due, oldest first.

    Due means tried fewer than ``max_attempts`` times and past its backoff
    at ``now`` (every pending one with ``ignore_backoff``, for an operator
    who has just fixed the mail server). Stops after
    ``EMAIL_RUN_MAX_FAILURES`` failures in a row, leaving the rest for the
    next run. Returns ``(sent, failed)``. A success lifts the pause on
    sends from requests.

    One connection to the mail server carries the whole run (with SMTP,
    one session and one TLS handshake instead of one per e-mail), and the
    delivered ones are marked sent ``EMAIL_MARK_EVERY`` at a time.
    """
    now = now or timezone.now()
    outbox = (
        OutboundEmail.objects.pending()
        if ignore_backoff
        else (OutboundEmail.objects.due(now))
    )
    mail = get_connection()
    try:
        mail.open()
    except Exception as error:  # noqa: BLE001 - each send below tries again
        # on its own, fails and is counted on its row.
        logger.warning("Mail server not reached: %s", type(error).__name__)
    sent = failed = in_a_row = 0
    delivered: list[OutboundEmail] = []
    try:
        for outgoing in outbox.filter(attempts__lt=max_attempts).order_by("created_at"):
            if _email_deliver(outgoing=outgoing, connection=mail):
                delivered.append(outgoing)
                sent += 1
                in_a_row = 0
                if len(delivered) >= EMAIL_MARK_EVERY:
                    _emails_mark_sent(delivered)
                    delivered = []
            else:
                failed += 1
                in_a_row += 1
                if in_a_row >= EMAIL_RUN_MAX_FAILURES:
                    break
    finally:
        _emails_mark_sent(delivered)
        mail.close()
    if sent:
        cache.delete(EMAIL_PAUSE_KEY)
        sharedcache.forget()
    return sent, failed


def email_send_watch(*, interval: float, stop: threading.Event, on_pass=None) -> None:
    """Run ``email_send_pending`` every ``interval`` seconds until ``stop``
    is set (checked between passes), calling ``on_pass(sent, failed)``
    after each. A database error (PostgreSQL restarting) is logged and the
    next pass opens a new connection: the sender outlives it."""
    while not stop.is_set():
        try:
            sent, failed = email_send_pending()
        except DatabaseError:
            logger.exception("Outbox pass failed; trying again")
            connections.close_all()
            sent = failed = 0
        if on_pass is not None:
            on_pass(sent, failed)
        stop.wait(interval)


# The support loop -----------------------------------------------------------


def _ticket_lock(*, ticket: Ticket, expected_version: int | None) -> Ticket:
    """Return the ticket's row, locked until the transaction ends.

    With ``expected_version`` (the version the caller's form showed), a
    ticket changed since raises ``TicketConflict`` naming what changed.
    """
    current = (
        Ticket.objects.select_for_update().select_related("topic").get(pk=ticket.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise TicketConflict(
            current=current,
            changes=selectors.ticket_changes_since(
                ticket=current, version=expected_version
            ),
        )
    return current


def _ticket_save(*, ticket: Ticket, actor=None) -> None:
    """Save a changed ticket as the next version, with ``actor`` in its history."""
    # The row is locked (``_ticket_lock``), so a plain increment is safe.
    ticket.version += 1
    ticket._history_user = actor
    ticket.save()


def _event_add(*, ticket: Ticket, kind: str, author=None, **fields) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, author=author, **fields)


def _status_change(*, ticket: Ticket, status: str, actor, now) -> bool:
    """Move ``ticket`` (unsaved) to ``status`` and record it; False if same.

    Resolving stamps ``resolved_at``, closing ``closed_at``; moving back
    to an open status clears both, so they always describe the last time.
    """
    if status not in Ticket.Status.values:
        raise TicketError(_("Unknown status."), code="invalid")
    old = ticket.status
    if old == status:
        return False
    ticket.status = status
    if status == Ticket.Status.RESOLVED:
        ticket.resolved_at = now
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = ticket.closed_at = None
    _event_add(
        ticket=ticket,
        kind=TicketEvent.Kind.STATUS_CHANGE,
        author=actor,
        old_value=old,
        new_value=status,
        created_at=now,
    )
    return True


def _user_label(user) -> str:
    return user.get_username()[:64] if user is not None else ""


def _rating_url(*, ticket: Ticket) -> str:
    # The status page holds the rating form under id="rate".
    return ticket_status_url(ticket=ticket) + "#rate"


def _resolution_queue(*, ticket: Ticket) -> OutboundEmail | None:
    with translation.override(ticket.language):
        subject = _("Your request %(reference)s is resolved") % {
            "reference": ticket.reference
        }
    return _email_queue(
        ticket=ticket,
        subject=subject,
        template="channels/tickets/email/ticket_resolved.txt",
        context={"rating_url": _rating_url(ticket=ticket)},
    )


def _verify_url(*, code: str, language: str) -> str:
    with translation.override(language):
        return links.absolute(reverse("channels:verify") + "?q=" + code)


def _reply_code_unused() -> str:
    for _attempt in range(5):
        code = reply_code_new()
        if not TicketEvent.objects.filter(reply_code=code).exists():
            break
    return code


@transaction.atomic
def ticket_reply_add(
    *,
    ticket: Ticket,
    author,
    body: str,
    internal: bool = False,
    status: str | None = None,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> TicketEvent:
    """Add a staff reply (or, with ``internal=True``, a note) and return it.

    A public reply gets a reply code, sets ``first_response_at`` on the
    first one, moves a NEW ticket to OPEN (or to ``status`` when staff chose
    one, e.g. WAITING or RESOLVED) and e-mails the requester the reply's text
    (staff-written), its code, how to check the code, the status link and
    the never-ask notice; resolving in the same step adds the rating link.
    An internal note is never e-mailed nor shown to the requester; it only
    changes the status when ``status`` is given. Raises ``SecretFound`` for
    text holding a recovery phrase or key, ``TicketError`` (code ``empty``)
    for blank text and ``TicketConflict`` for a stale ``expected_version``.
    """
    body = body.strip()
    if not body:
        raise TicketError(_("Write a reply first."), code="empty")
    secret_scan.ensure_no_secret([("reply", body)])
    now = now or timezone.now()
    current = _ticket_lock(ticket=ticket, expected_version=expected_version)
    changed = False
    if internal:
        event = _event_add(
            ticket=current,
            kind=TicketEvent.Kind.INTERNAL_NOTE,
            author=author,
            body=body,
            created_at=now,
        )
    else:
        event = _event_add(
            ticket=current,
            kind=TicketEvent.Kind.PUBLIC_REPLY,
            author=author,
            body=body,
            reply_code=_reply_code_unused(),
            created_at=now,
        )
        if current.first_response_at is None:
            current.first_response_at = now
            changed = True
        if status is None and current.status == Ticket.Status.NEW:
            status = Ticket.Status.OPEN
    if status is not None:
        changed |= _status_change(ticket=current, status=status, actor=author, now=now)
    if changed:
        _ticket_save(ticket=current, actor=author)
    if not internal:
        resolved = current.status == Ticket.Status.RESOLVED
        with translation.override(current.language):
            subject = _("Reply to your request %(reference)s") % {
                "reference": current.reference
            }
            # The team's name too is in the request's language.
            author_name = selectors.reply_author_name(author=author)
        outgoing = _email_queue(
            ticket=current,
            subject=subject,
            template="channels/tickets/email/ticket_reply.txt",
            context={
                "reply": body,
                "reply_code": event.reply_code,
                "author_name": author_name,
                "verify_url": _verify_url(
                    code=event.reply_code, language=current.language
                ),
                "rating_url": _rating_url(ticket=current) if resolved else "",
            },
        )
        _send_after_commit([outgoing])
    return event


def ticket_requester_reply(
    *,
    ticket: Ticket,
    message: str,
    attachments: list[Screenshot] = (),
    submission_key: str | None = None,
    now: datetime.datetime | None = None,
) -> TicketEvent:
    """Add the requester's reply (with screenshots) and return it.

    WAITING moves to OPEN; a RESOLVED ticket reopens (OPEN) within 7 days
    of its resolution. A CLOSED ticket, or one resolved longer ago, raises
    ``ReplyNotAllowed`` (code ``closed`` or ``reopen_window_passed``): offer
    a new request with ``parent`` instead. A ``submission_key`` already used
    returns that reply and writes nothing. Rows are written in one
    transaction and screenshot files removed if it fails. Sends no e-mail:
    the requester's words never go out in one. Raises ``SecretFound`` for a
    recovery phrase or key (the form refuses them first).
    """
    if submission_key:
        existing = TicketEvent.objects.filter(submission_key=submission_key).first()
        if existing:
            return existing
    secret_scan.ensure_no_secret([("message", message)])
    now = now or timezone.now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            current = _ticket_lock(ticket=ticket, expected_version=None)
            _reply_allowed_check(ticket=current, now=now)
            event = _event_add(
                ticket=current,
                kind=TicketEvent.Kind.REQUESTER_MESSAGE,
                body=message,
                submission_key=submission_key or None,
                created_at=now,
            )
            for screenshot in attachments:
                saved = _attachment_save(
                    ticket=current, screenshot=screenshot, event=event
                )
                stored.append(saved.file.name)
            if current.status in (Ticket.Status.WAITING, Ticket.Status.RESOLVED):
                _status_change(
                    ticket=current, status=Ticket.Status.OPEN, actor=None, now=now
                )
                _ticket_save(ticket=current)
    except Exception as error:
        for name in stored:
            default_storage.delete(name)
        if not (isinstance(error, IntegrityError) and submission_key):
            raise
        # A concurrent retry of the same POST won the race for the key.
        existing = TicketEvent.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    return event


def _reply_allowed_check(*, ticket: Ticket, now: datetime.datetime) -> None:
    if ticket.status == Ticket.Status.CLOSED:
        raise ReplyNotAllowed(
            _("This request is closed. Please send a new request."), code="closed"
        )
    if ticket.status == Ticket.Status.RESOLVED and (
        ticket.resolved_at is None or now - ticket.resolved_at > REOPEN_WINDOW
    ):
        raise ReplyNotAllowed(
            _(
                "This request was resolved more than 7 days ago and can no "
                "longer be reopened. Please send a new request."
            ),
            code="reopen_window_passed",
        )


def ticket_reply_allowed(
    *, ticket: Ticket, now: datetime.datetime | None = None
) -> bool:
    """True when ``ticket_requester_reply`` would accept a reply now."""
    try:
        _reply_allowed_check(ticket=ticket, now=now or timezone.now())
    except ReplyNotAllowed:
        return False
    return True


@transaction.atomic
def ticket_status_set(
    *,
    ticket: Ticket,
    status: str,
    actor=None,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Set the status, record who and when, and return the ticket.

    ``actor`` is the staff user (None: the requester or the system).
    Resolving e-mails the requester the resolution notice with the rating
    link. Setting the current status again changes nothing.
    """
    now = now or timezone.now()
    current = _ticket_lock(ticket=ticket, expected_version=expected_version)
    if _status_change(ticket=current, status=status, actor=actor, now=now):
        _ticket_save(ticket=current, actor=actor)
        if status == Ticket.Status.RESOLVED:
            _send_after_commit([_resolution_queue(ticket=current)])
    return current


@transaction.atomic
def ticket_close_by_requester(
    *, ticket: Ticket, now: datetime.datetime | None = None
) -> Ticket:
    """Close the request at the requester's wish ("Close this request").

    Recorded with no author (the requester); closing a closed ticket changes
    nothing. Sends no e-mail.
    """
    return ticket_status_set(
        ticket=ticket, status=Ticket.Status.CLOSED, actor=None, now=now
    )


@transaction.atomic
def ticket_assign(
    *, ticket: Ticket, assignee, actor, expected_version: int | None = None
) -> Ticket:
    """Assign the ticket to a staff user (None: nobody), recording who did it.

    Assigning the current assignee again changes nothing.
    """
    if assignee is not None and not assignee.is_staff:
        raise TicketError(_("Only staff can be assigned."), code="not_staff")
    current = _ticket_lock(ticket=ticket, expected_version=expected_version)
    if current.assignee_id == (assignee.pk if assignee else None):
        return current
    _event_add(
        ticket=current,
        kind=TicketEvent.Kind.ASSIGNMENT,
        author=actor,
        old_value=_user_label(current.assignee),
        new_value=_user_label(assignee),
    )
    current.assignee = assignee
    _ticket_save(ticket=current, actor=actor)
    return current


def _priority_apply(*, ticket: Ticket, priority: str, actor, kind: str, now):
    """Set the priority (unsaved), move the due times with it, record it."""
    old = ticket.priority
    ticket.priority = priority
    ticket.first_response_due_at, ticket.resolution_due_at = sla_due_times(
        topic=ticket.topic, priority=priority, created_at=ticket.created_at
    )
    return _event_add(
        ticket=ticket,
        kind=kind,
        author=actor,
        old_value=old,
        new_value=priority,
        created_at=now,
    )


@transaction.atomic
def ticket_priority_set(
    *, ticket: Ticket, priority: str, actor, expected_version: int | None = None
) -> Ticket:
    """Set the priority, recompute the due times from the SLA table, record it."""
    if priority not in Priority.values:
        raise TicketError(_("Unknown priority."), code="invalid")
    current = _ticket_lock(ticket=ticket, expected_version=expected_version)
    if current.priority == priority:
        return current
    _priority_apply(
        ticket=current,
        priority=priority,
        actor=actor,
        kind=TicketEvent.Kind.PRIORITY_CHANGE,
        now=timezone.now(),
    )
    _ticket_save(ticket=current, actor=actor)
    return current


def ticket_nudge_allowed(
    *, ticket: Ticket, now: datetime.datetime | None = None
) -> str:
    """Return "" when the requester may nudge now, else the refusal code.

    Codes: ``not_waiting_on_us`` (waiting on the requester, resolved or
    closed), ``answered`` (support has replied), ``not_due`` (the
    first-response target has not passed) and ``too_soon`` (nudged in the
    last 24 hours).
    """
    now = now or timezone.now()
    if not ticket.is_waiting_on_us:
        return "not_waiting_on_us"
    if ticket.first_response_at is not None:
        return "answered"
    if ticket.first_response_due_at is None or ticket.first_response_due_at > now:
        return "not_due"
    if ticket.last_nudged_at and now - ticket.last_nudged_at < NUDGE_INTERVAL:
        return "too_soon"
    return ""


# Lazy: read at import time, plain gettext would fix them in whatever
# language was active then.
NUDGE_MESSAGES = {
    "not_waiting_on_us": gettext_lazy(
        "This request is not waiting for an answer from us."
    ),
    "answered": gettext_lazy("Support has already answered this request."),
    "not_due": gettext_lazy(
        "You can send a reminder once the promised answer time has passed."
    ),
    "too_soon": gettext_lazy("You can send one reminder a day."),
}


@transaction.atomic
def ticket_nudge(
    *, ticket: Ticket, now: datetime.datetime | None = None
) -> TicketEvent:
    """Raise an unanswered ticket one priority step, once a day at most.

    Allowed once the first-response target has passed without a public
    reply (see ``ticket_nudge_allowed``); otherwise raises
    ``NudgeNotAllowed`` with its code. The due times follow the new
    priority, so the ticket moves up a queue sorted by due time; an urgent
    ticket stays urgent but is still recorded as nudged.
    """
    now = now or timezone.now()
    current = _ticket_lock(ticket=ticket, expected_version=None)
    code = ticket_nudge_allowed(ticket=current, now=now)
    if code:
        raise NudgeNotAllowed(str(NUDGE_MESSAGES[code]), code=code)
    rank = PRIORITY_ORDER.index(current.priority)
    raised = PRIORITY_ORDER[min(rank + 1, len(PRIORITY_ORDER) - 1)]
    event = _priority_apply(
        ticket=current,
        priority=raised,
        actor=None,
        kind=TicketEvent.Kind.NUDGE,
        now=now,
    )
    current.last_nudged_at = now
    current.nudge_count += 1
    _ticket_save(ticket=current)
    return event


@transaction.atomic
def ticket_rate(*, ticket: Ticket, rating: int, comment: str = "") -> TicketRating:
    """Record the requester's one rating (1 to 5) of a resolved request.

    Raises ``RatingNotAllowed``: ``not_resolved`` before the request is
    resolved or closed, ``already_rated`` for a second rating (a rating is
    never changed), ``invalid`` outside 1 to 5. ``SecretFound`` for a
    comment holding a recovery phrase or key.
    """
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RatingNotAllowed(_("Choose a rating from 1 to 5."), code="invalid")
    comment = comment.strip()
    secret_scan.ensure_no_secret([("comment", comment)])
    current = _ticket_lock(ticket=ticket, expected_version=None)
    if current.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise RatingNotAllowed(
            _("You can rate the answer once the request is resolved."),
            code="not_resolved",
        )
    if TicketRating.objects.filter(ticket=current).exists():
        raise RatingNotAllowed(
            _("This request has already been rated."), code="already_rated"
        )
    _event_add(ticket=current, kind=TicketEvent.Kind.RATING, new_value=str(rating))
    return TicketRating.objects.create(ticket=current, rating=rating, comment=comment)


@transaction.atomic
def ticket_phrase_set(*, ticket: Ticket, phrase: str) -> Ticket:
    """Set (or change) the requester's anti-phishing phrase; return the ticket.

    Every later e-mail about the ticket opens with it. ``PhraseForm``
    validates first; this refuses again what must never reach an e-mail:
    ``SecretFound`` for a secret, ``TicketError`` (code ``invalid``) for a
    phrase that is not one line of 3 to 40 characters. The phrase is never
    logged.
    """
    phrase = phrase.strip()
    secret_scan.ensure_no_secret([("phrase", phrase)])
    if not 3 <= len(phrase) <= 40 or any(
        ord(char) < 32 or ord(char) == 127 for char in phrase
    ):
        raise TicketError(_("Choose a phrase of 3 to 40 characters."), code="invalid")
    current = _ticket_lock(ticket=ticket, expected_version=None)
    current.antiphishing_phrase = phrase
    _ticket_save(ticket=current)
    return current


@transaction.atomic
def status_link_resend(*, reference: str, email: str) -> None:
    """Queue an e-mail with the status link if ``reference`` and ``email``
    belong to one ticket; otherwise do nothing.

    Returns nothing either way, and the mail is only queued (sent by
    ``manage.py send_pending_email``, every minute), never sent during the
    request, so neither the answer nor its timing tells whether the pair
    exists. The reference is read case-insensitively, the address too.
    """
    reference = reference.strip().upper()
    ticket = (
        Ticket.objects.select_related("topic")
        .filter(reference=reference, email__iexact=email.strip())
        .first()
    )
    if ticket is None:
        return
    with translation.override(ticket.language):
        subject = _("Your link to request %(reference)s") % {
            "reference": ticket.reference
        }
    _email_queue(
        ticket=ticket,
        subject=subject,
        template="channels/tickets/email/status_link.txt",
        context={},
    )
