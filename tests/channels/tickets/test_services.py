import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.tickets.models import Topic
from channels.tickets import services
from channels.models import (
    ContactLookup,
    ContactReport,
    KnownScamContact,
    OutboundEmail,
    Ticket,
    token_hash,
)
from channels.secrets import SecretFound

Kind = Topic.Kind
PHRASE_12 = (
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)


def create(topics, key, **overrides):
    values = {
        "topic": topics[Kind.GENERAL],
        "email": "a@example.com",
        "subject": "Subject",
        "message": "Message",
        "language": "en",
        "submission_key": key,
    }
    values.update(overrides)
    return services.ticket_create(**values)


def test_ticket_create_stores_only_the_token_hash(topics, mailoutbox):
    receipt = create(topics, secrets.token_hex(16))
    ticket = Ticket.objects.get()
    assert ticket.token_hash == token_hash(receipt.token)
    assert receipt.token not in ticket.token_hash
    assert receipt.token in mailoutbox[0].body


def test_ticket_create_with_used_key_returns_existing(topics, mailoutbox):
    key = secrets.token_hex(16)
    first = create(topics, key)
    again = create(topics, key, subject="Other")
    assert (again.created, again.ticket, again.token) == (False, first.ticket, "")
    assert (Ticket.objects.count(), len(mailoutbox)) == (1, 1)


def test_references_are_random_and_readable():
    references = {services.ticket_new_reference() for _n in range(200)}
    assert len(references) == 200
    assert all(
        len(reference) == 12 and reference.startswith("CW-") for reference in references
    )
    assert not any(set("ILOU") & set(reference[3:]) for reference in references)


def test_failed_ticket_save_leaves_no_screenshot_file(topics, settings, monkeypatch, mailoutbox):
    import pytest

    from channels.models import TicketAttachment
    from channels.uploads import Screenshot

    def broken_queue(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_confirmation_queue", broken_queue)
    shot = Screenshot(content=b"png-bytes", name="abc123.png", content_type="image/png", width=1, height=1)
    with pytest.raises(RuntimeError):
        create(topics, secrets.token_hex(16), screenshots=[shot])
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
    assert mailoutbox == []


def test_sent_email_drops_its_body_and_keeps_the_record(topics, mailoutbox):
    receipt = create(topics, secrets.token_hex(16))
    outgoing = OutboundEmail.objects.get()
    assert receipt.token in mailoutbox[0].body
    assert (outgoing.status, outgoing.body) == (OutboundEmail.Status.SENT, "")
    assert (outgoing.to, outgoing.subject) == ("a@example.com", mailoutbox[0].subject)
    assert outgoing.sent_at is not None


def test_mail_server_down_keeps_ticket_and_body_until_sent(
    topics, mailoutbox, monkeypatch
):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    receipt = create(topics, secrets.token_hex(16))
    pending = OutboundEmail.objects.get()
    assert receipt.created and Ticket.objects.count() == 1
    assert pending.status == OutboundEmail.Status.PENDING
    assert receipt.token in pending.body and "ConnectionRefusedError" in (
        pending.last_error
    )
    monkeypatch.undo()
    assert services.email_send_pending() == (1, 0)
    pending.refresh_from_db()
    assert (pending.status, pending.body) == (OutboundEmail.Status.SENT, "")
    assert receipt.token in mailoutbox[0].body
# Secret guards (issue #8, section 3) -------------------------------------------


def test_confirmation_never_carries_a_phrase_typed_in_the_subject(
    topics, mailoutbox
):
    # The form refuses this first; the confirmation quotes nothing typed.
    receipt = create(topics, secrets.token_hex(16), subject=PHRASE_12)
    assert receipt.created and Ticket.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    assert "sausage" not in mailoutbox[0].subject + mailoutbox[0].body


def test_outbox_never_queues_a_mail_holding_a_secret(
    topics, mailoutbox, monkeypatch
):
    # The last line: should a template ever carry a secret, nothing is queued.
    monkeypatch.setattr(
        "channels.tickets.services.render_to_string", lambda *args, **kwargs: PHRASE_12
    )
    receipt = create(topics, secrets.token_hex(16))
    assert receipt.created and Ticket.objects.count() == 1
    assert (OutboundEmail.objects.count(), mailoutbox) == (0, [])
