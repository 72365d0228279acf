import datetime
import re
import secrets
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone, translation

from channels.models import SupportChannel
from channels.secrets import SecretFound
from channels.tickets import links, selectors, services
from channels.tickets.models import (
    CannedReply,
    IncidentNotice,
    OutboundEmail,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketRating,
    Topic,
    token_hash,
)
from channels.uploads import Screenshot

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


def test_ticket_create_takes_another_reference_when_one_is_taken(
    topics, mailoutbox, monkeypatch
):
    taken = create(topics, secrets.token_hex(16)).ticket.reference
    offered = iter([taken, taken, "CW-2222-3333"])
    monkeypatch.setattr(services, "ticket_new_reference", lambda: next(offered))
    receipt = create(topics, secrets.token_hex(16), subject="Second")
    assert receipt.created and receipt.ticket.reference == "CW-2222-3333"
    assert sorted(Ticket.objects.values_list("reference", flat=True)) == sorted(
        [taken, "CW-2222-3333"]
    )
    assert Ticket.history.model.objects.count() == 2
    assert [message.subject for message in mailoutbox] == [
        f"We received your request {taken}",
        "We received your request CW-2222-3333",
    ]


def test_ticket_create_gives_up_when_every_reference_is_taken(topics, monkeypatch):
    taken = create(topics, secrets.token_hex(16)).ticket.reference
    monkeypatch.setattr(services, "ticket_new_reference", lambda: taken)
    with pytest.raises(IntegrityError):
        create(topics, secrets.token_hex(16), subject="Second")
    assert Ticket.objects.count() == OutboundEmail.objects.count() == 1


def test_sla_and_web_form_channel_changes_apply_to_the_next_ticket(topics):
    before = create(topics, secrets.token_hex(16)).ticket
    SlaTarget.objects.create(
        topic=topics[Kind.GENERAL],
        priority=before.priority,
        first_response=timedelta(minutes=30),
        resolution=timedelta(hours=3),
    )
    channel = SupportChannel.objects.create(
        slug="form", kind=SupportChannel.Kind.WEB_FORM, name_en="Form"
    )
    after = create(topics, secrets.token_hex(16)).ticket
    assert before.channel is None and after.channel == channel
    assert after.first_response_due_at - after.created_at == timedelta(minutes=30)
    assert after.resolution_due_at - after.created_at == timedelta(hours=3)
    assert before.first_response_due_at - before.created_at != timedelta(minutes=30)


def test_references_are_random_and_readable():
    references = {services.ticket_new_reference() for _n in range(200)}
    assert len(references) == 200
    assert all(
        len(reference) == 12 and reference.startswith("CW-") for reference in references
    )
    assert not any(set("ILOU") & set(reference[3:]) for reference in references)


def test_failed_ticket_save_leaves_no_screenshot_file(
    topics, settings, monkeypatch, mailoutbox
):
    import pytest

    from channels.models import TicketAttachment
    from channels.uploads import Screenshot

    def broken_queue(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_confirmation_queue", broken_queue)
    shot = Screenshot(
        content=b"png-bytes",
        name="abc123.png",
        content_type="image/png",
        width=1,
        height=1,
    )
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
    # Not before its backoff has run out, then sent.
    assert services.email_send_pending() == (0, 0)
    assert services.email_send_pending(now=pending.next_attempt_at) == (1, 0)
    pending.refresh_from_db()
    assert (pending.status, pending.body) == (OutboundEmail.Status.SENT, "")
    assert receipt.token in mailoutbox[0].body


# Secret guards (issue #8, section 3) -------------------------------------------


def test_confirmation_never_carries_a_phrase_typed_in_the_subject(topics, mailoutbox):
    # The form refuses this first; the confirmation quotes nothing typed.
    receipt = create(topics, secrets.token_hex(16), subject=PHRASE_12)
    assert receipt.created and Ticket.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    assert "sausage" not in mailoutbox[0].subject + mailoutbox[0].body


def test_outbox_never_queues_a_mail_holding_a_secret(topics, mailoutbox, monkeypatch):
    # The last line: should a template ever carry a secret, nothing is queued.
    monkeypatch.setattr(
        "channels.tickets.services.render_to_string", lambda *args, **kwargs: PHRASE_12
    )
    receipt = create(topics, secrets.token_hex(16))
    assert receipt.created and Ticket.objects.count() == 1
    assert (OutboundEmail.objects.count(), mailoutbox) == (0, [])


# The support loop ---------------------------------------------------------

NOW = timezone.make_aware(datetime.datetime(2026, 11, 30, 10, 0))


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "agent", password="x", is_staff=True, first_name="Mei"
    )


@pytest.fixture
def ticket(topics, mailoutbox):
    receipt = create(
        topics,
        secrets.token_hex(16),
        name="Li Lei",
        subject="Call +1 888 555 0100 now",
        message="REQUESTER-WORDS visit evil.example",
    )
    mailoutbox.clear()
    return receipt.ticket


def event_kinds(ticket):
    return list(ticket.events.values_list("kind", "old_value", "new_value"))


def test_ticket_create_sets_priority_and_due_times_from_the_topic(topics):
    security = create(topics, secrets.token_hex(16), topic=topics[Kind.SECURITY])
    general = create(topics, secrets.token_hex(16))
    first = security.ticket
    assert (first.priority, general.ticket.priority) == ("high", "normal")
    assert first.first_response_due_at - first.created_at == timedelta(hours=4)
    assert first.resolution_due_at - first.created_at == timedelta(days=2)


def test_status_link_token_derives_from_key_and_secret_not_from_the_database(
    topics, settings
):
    receipt = create(topics, secrets.token_hex(16))
    ticket = Ticket.objects.get()
    assert ticket.status_key
    assert receipt.token not in (ticket.token_hash, ticket.status_key)
    # What a copy of the database holds does not give the token without
    # SECRET_KEY: the same key under another secret makes another token.
    other = links.status_token(
        reference=ticket.reference, status_key=ticket.status_key, secret="another"
    )
    assert other != receipt.token
    assert (
        selectors.ticket_get_for_status(reference=ticket.reference, token=receipt.token)
        == ticket
    )
    assert ticket_for(ticket, other) is None


def ticket_for(ticket, token):
    return selectors.ticket_get_for_status(reference=ticket.reference, token=token)


def test_status_url_of_a_ticket_without_key_keeps_its_first_link(topics):
    create(topics, secrets.token_hex(16))
    ticket = Ticket.objects.get()
    Ticket.objects.filter(pk=ticket.pk).update(
        status_key="", token_hash=token_hash("first-link-token")
    )
    ticket.refresh_from_db()
    url = services.ticket_status_url(ticket=ticket)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert ticket_for(ticket, token) == ticket
    assert ticket_for(ticket, "first-link-token") == ticket
    assert ticket_for(ticket, "wrong") is None


def test_public_reply_is_mailed_with_code_link_and_notice_and_opens_the_ticket(
    ticket, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.ticket_reply_add(
            ticket=ticket, author=staff, body="Please send the app version.", now=NOW
        )
    ticket.refresh_from_db()
    assert event.kind == "public_reply" and event.author == staff
    assert len(event.reply_code) == 9 and event.reply_code[4] == "-"
    assert (ticket.status, ticket.first_response_at, ticket.version) == (
        "open",
        NOW,
        2,
    )
    assert event_kinds(ticket) == [
        ("public_reply", "", ""),
        ("status_change", "new", "open"),
    ]
    (mail,) = mailoutbox
    assert mail.subject == f"Reply to your request {ticket.reference}"
    assert "Mei wrote:" in mail.body
    assert "Please send the app version." in mail.body
    assert f"Reply code: {event.reply_code}" in mail.body
    assert f"/en/channels/verify/?q={event.reply_code}" in mail.body
    assert "never ask for your recovery phrase" in mail.body
    # Nothing the requester typed goes out in our name.
    # Random references, codes, tokens and proofs may happen to hold "888".
    own = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}|[0-9a-f]{16,}")
    body, subject = own.sub("", mail.body), own.sub("", mail.subject)
    for typed in ("REQUESTER-WORDS", "evil.example", "888", "Li Lei"):
        assert typed not in body and typed not in subject
    link = next(line for line in mail.body.splitlines() if "/contact/tickets/" in line)
    path = link.split("?", 1)[0]  # e-mailed links carry the mailbox proof
    assert ticket_for(ticket, path.rstrip("/").rsplit("/", 1)[-1]) == ticket


def test_only_the_first_public_reply_sets_the_first_response(ticket, staff):
    services.ticket_reply_add(ticket=ticket, author=staff, body="One", now=NOW)
    later = NOW + timedelta(hours=1)
    services.ticket_reply_add(ticket=ticket, author=staff, body="Two", now=later)
    ticket.refresh_from_db()
    assert ticket.first_response_at == NOW
    codes = TicketEvent.objects.exclude(reply_code=None).values_list(
        "reply_code", flat=True
    )
    assert len(set(codes)) == 2


def test_internal_note_is_never_mailed_nor_public(
    ticket, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = services.ticket_reply_add(
            ticket=ticket, author=staff, body="Looks like fraud.", internal=True
        )
    ticket.refresh_from_db()
    assert note.reply_code is None and note.kind == "internal_note"
    assert (ticket.status, ticket.first_response_at) == ("new", None)
    assert mailoutbox == [] and ticket.emails.count() == 1  # the confirmation
    assert selectors.ticket_timeline(ticket=ticket, public=True) == []
    assert selectors.ticket_timeline(ticket=ticket, public=False) == [note]
    assert selectors.reply_code_check(code="Looks like fraud.") is None


def test_reply_that_resolves_carries_the_rating_link(
    ticket, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply_add(
            ticket=ticket, author=staff, body="Fixed.", status="resolved", now=NOW
        )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == ("resolved", NOW)
    (mail,) = mailoutbox
    assert "#rate" in mail.body and "Rate our answer from 1 to 5" in mail.body


def test_reply_with_a_recovery_phrase_writes_and_sends_nothing(
    ticket, staff, mailoutbox
):
    with pytest.raises(SecretFound):
        services.ticket_reply_add(ticket=ticket, author=staff, body=PHRASE_12)
    ticket.refresh_from_db()
    assert (ticket.events.count(), ticket.status, ticket.version) == (0, "new", 1)
    assert mailoutbox == []


def test_blank_reply_is_refused(ticket, staff):
    with pytest.raises(services.TicketError) as raised:
        services.ticket_reply_add(ticket=ticket, author=staff, body="  \n ")
    assert raised.value.code == "empty" and ticket.events.count() == 0


def test_requester_reply_moves_waiting_to_open_and_keeps_screenshots(
    ticket, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    services.ticket_status_set(ticket=ticket, status="waiting")
    shot = Screenshot(
        name="a1b2.png",
        content=b"png-bytes",
        content_type="image/png",
        width=1,
        height=1,
    )
    event = services.ticket_requester_reply(
        ticket=ticket, message="Version 3.2.1", attachments=[shot]
    )
    ticket.refresh_from_db()
    assert ticket.status == "open" and event.author is None
    assert event_kinds(ticket)[-2:] == [
        ("requester_message", "", ""),
        ("status_change", "waiting", "open"),
    ]
    (attachment,) = event.attachments.all()
    assert attachment.ticket == ticket and default_storage.exists(attachment.file.name)


def test_requester_reply_with_same_key_is_saved_once(ticket):
    first = services.ticket_requester_reply(
        ticket=ticket, message="More", submission_key="k" * 32
    )
    again = services.ticket_requester_reply(
        ticket=ticket, message="More", submission_key="k" * 32
    )
    assert first == again and ticket.events.count() == 1


def test_reply_reopens_a_resolved_ticket_within_seven_days(ticket):
    services.ticket_status_set(ticket=ticket, status="resolved", now=NOW)
    services.ticket_requester_reply(
        ticket=ticket, message="Still broken", now=NOW + timedelta(days=6)
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == ("open", None)
    assert event_kinds(ticket)[-1] == ("status_change", "resolved", "open")


@pytest.mark.parametrize(
    "status, days, code",
    [("resolved", 8, "reopen_window_passed"), ("closed", 1, "closed")],
)
def test_reply_to_an_old_or_closed_ticket_is_refused(ticket, status, days, code):
    services.ticket_status_set(ticket=ticket, status=status, now=NOW)
    before = ticket.events.count()
    later = NOW + timedelta(days=days)
    assert not services.ticket_reply_allowed(ticket=Ticket.objects.get(), now=later)
    with pytest.raises(services.ReplyNotAllowed) as raised:
        services.ticket_requester_reply(ticket=ticket, message="Hello?", now=later)
    ticket.refresh_from_db()
    assert raised.value.code == code
    assert (ticket.status, ticket.events.count()) == (status, before)


def test_follow_up_request_links_the_old_one(topics, ticket):
    receipt = create(topics, secrets.token_hex(16), parent=ticket)
    assert receipt.ticket.parent == ticket
    assert list(ticket.follow_ups.all()) == [receipt.ticket]


def test_resolving_mails_the_rating_link_and_records_who(
    ticket, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_status_set(ticket=ticket, status="resolved", actor=staff)
        services.ticket_status_set(ticket=ticket, status="resolved", actor=staff)
    event = ticket.events.get()
    assert (event.author, event.old_value, event.new_value) == (
        staff,
        "new",
        "resolved",
    )
    (mail,) = mailoutbox
    assert mail.subject == f"Your request {ticket.reference} is resolved"
    assert "#rate" in mail.body and "within 7 days" in mail.body
    assert "REQUESTER-WORDS" not in mail.body


def test_requester_closes_the_request(ticket):
    services.ticket_close_by_requester(ticket=ticket, now=NOW)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == ("closed", NOW)
    assert ticket.events.get().author is None


def test_assignment_and_priority_are_recorded(ticket, staff, django_user_model):
    services.ticket_assign(ticket=ticket, assignee=staff, actor=staff)
    services.ticket_priority_set(ticket=ticket, priority="urgent", actor=staff)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority, ticket.version) == (staff, "urgent", 3)
    assert ticket.first_response_due_at - ticket.created_at == timedelta(hours=1)
    assert event_kinds(ticket) == [
        ("assignment", "", "agent"),
        ("priority_change", "normal", "urgent"),
    ]
    outsider = django_user_model.objects.create_user("someone")
    with pytest.raises(services.TicketError):
        services.ticket_assign(ticket=ticket, assignee=outsider, actor=staff)
    with pytest.raises(services.TicketError):
        services.ticket_priority_set(ticket=ticket, priority="huge", actor=staff)
    assert ticket.events.count() == 2


def test_stale_save_is_refused_with_what_changed(ticket, staff):
    services.ticket_status_set(ticket=ticket, status="waiting", actor=staff)
    with translation.override("en"), pytest.raises(services.TicketConflict) as raised:
        services.ticket_priority_set(
            ticket=ticket, priority="high", actor=staff, expected_version=1
        )
    ticket.refresh_from_db()
    assert raised.value.changes == [("Status", "Submitted", "Waiting on you")]
    assert (ticket.priority, ticket.version) == ("normal", 2)


def test_nudge_rules(ticket, staff):
    due = ticket.first_response_due_at
    with pytest.raises(services.NudgeNotAllowed) as early:
        services.ticket_nudge(ticket=ticket, now=due - timedelta(minutes=1))
    event = services.ticket_nudge(ticket=ticket, now=due + timedelta(minutes=1))
    with pytest.raises(services.NudgeNotAllowed) as same_day:
        services.ticket_nudge(ticket=ticket, now=due + timedelta(hours=23))
    services.ticket_nudge(ticket=ticket, now=due + timedelta(days=1, minutes=2))
    ticket.refresh_from_db()
    assert (early.value.code, same_day.value.code) == ("not_due", "too_soon")
    assert (event.old_value, event.new_value) == ("normal", "high")
    assert (ticket.priority, ticket.nudge_count) == ("urgent", 2)
    assert ticket.first_response_due_at - ticket.created_at == timedelta(hours=1)
    services.ticket_reply_add(ticket=ticket, author=staff, body="Here.")
    with pytest.raises(services.NudgeNotAllowed) as answered:
        services.ticket_nudge(ticket=ticket, now=due + timedelta(days=3))
    assert answered.value.code == "answered"


def test_rating_once_and_only_after_resolution(ticket):
    with pytest.raises(services.RatingNotAllowed) as early:
        services.ticket_rate(ticket=ticket, rating=5)
    services.ticket_status_set(ticket=ticket, status="resolved")
    for bad in (0, 6, True, "5"):
        with pytest.raises(services.RatingNotAllowed):
            services.ticket_rate(ticket=ticket, rating=bad)
    rating = services.ticket_rate(ticket=ticket, rating=4, comment=" Quick ")
    with pytest.raises(services.RatingNotAllowed) as twice:
        services.ticket_rate(ticket=ticket, rating=1)
    assert (early.value.code, twice.value.code) == ("not_resolved", "already_rated")
    assert TicketRating.objects.get() == rating
    assert (rating.rating, rating.comment) == (4, "Quick")
    assert event_kinds(ticket)[-1] == ("rating", "", "4")


def test_sla_target_of_the_topic_beats_the_default(topics):
    topic = topics[Kind.TRANSFER]
    SlaTarget.objects.create(
        topic=topic,
        priority="normal",
        first_response=timedelta(hours=2),
        resolution=timedelta(days=1),
    )
    mine = selectors.sla_due_times(topic=topic, priority="normal", created_at=NOW)
    other = selectors.sla_due_times(
        topic=topics[Kind.LOGIN], priority="normal", created_at=NOW
    )
    assert mine == (NOW + timedelta(hours=2), NOW + timedelta(days=1))
    assert other == (NOW + timedelta(hours=24), NOW + timedelta(days=5))
    SlaTarget.objects.filter(topic=None).delete()
    fallback = selectors.sla_due_times(topic=None, priority="low", created_at=NOW)
    assert fallback == (NOW + timedelta(hours=48), NOW + timedelta(days=10))


def test_overdue_and_waiting_on_us(ticket, staff):
    due = ticket.first_response_due_at
    assert list(Ticket.objects.overdue(due - timedelta(seconds=1))) == []
    assert list(Ticket.objects.overdue(due + timedelta(seconds=1))) == [ticket]
    assert ticket.is_overdue(due + timedelta(seconds=1))
    services.ticket_reply_add(ticket=ticket, author=staff, body="On it.")
    services.ticket_status_set(ticket=ticket, status="waiting")
    assert list(Ticket.objects.waiting_on_us()) == []
    assert list(Ticket.objects.overdue(ticket.resolution_due_at + timedelta(1))) == []


def test_reply_code_check_finds_genuine_public_replies_only(ticket, staff):
    event = services.ticket_reply_add(ticket=ticket, author=staff, body="Hi")
    typed = event.reply_code.lower().replace("-", " ").replace("0", "o")
    assert selectors.reply_code_check(code=typed) == event
    assert selectors.reply_code_check(code="ZZZZ-ZZZZ") is None
    assert selectors.reply_code_check(code="not a code at all") is None


def test_status_link_resend_queues_only_for_the_right_pair(ticket, mailoutbox):
    resend = services.status_link_resend
    assert resend(reference="cw-0000-0000", email=ticket.email) is None
    assert resend(reference=ticket.reference, email="x@example.com") is None
    confirmation = OutboundEmail.objects.get()
    services.status_link_resend(
        reference=ticket.reference.lower(), email=ticket.email.upper()
    )
    (queued,) = OutboundEmail.objects.exclude(pk=confirmation.pk)
    # Queued for send_pending_email, not sent during the request.
    assert mailoutbox == [] and queued.status == "pending"
    link = next(
        line for line in queued.body.splitlines() if "/contact/tickets/" in line
    )
    path = link.split("?", 1)[0]  # e-mailed links carry the mailbox proof
    assert ticket_for(ticket, path.rstrip("/").rsplit("/", 1)[-1]) == ticket
    assert "REQUESTER-WORDS" not in queued.body


def test_canned_reply_fills_placeholders_but_not_a_hostile_name(ticket):
    canned = CannedReply.objects.create(
        title="Hello", body="Hello {name}, about {reference} ({topic}) {other}"
    )
    text = selectors.canned_reply_text(canned_reply=canned, ticket=ticket)
    topic = ticket.topic.name_en
    assert text == f"Hello Li Lei, about {ticket.reference} ({topic}) {{other}}"
    ticket.name = "Call +1 888 555 0100"
    assert selectors.canned_reply_text(canned_reply=canned, ticket=ticket).startswith(
        "Hello , about"
    )


def test_canned_replies_for_the_topic_and_for_any(ticket, topics):
    mine = CannedReply.objects.create(title="A", body="a", topic=ticket.topic)
    anyone = CannedReply.objects.create(title="B", body="b")
    CannedReply.objects.create(title="C", body="c", topic=topics[Kind.LOGIN])
    CannedReply.objects.create(title="D", body="d", is_active=False)
    assert selectors.canned_reply_list_for_ticket(ticket=ticket) == [mine, anyone]


def test_incident_notice_is_current_between_start_and_end(db):
    notice = IncidentNotice.objects.create(
        title_zh_hans="转账延迟",
        body_zh_hans="正在处理。",
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=2),
    )
    assert list(IncidentNotice.objects.current(NOW - timedelta(seconds=1))) == []
    assert list(IncidentNotice.objects.current(NOW)) == [notice]
    assert list(IncidentNotice.objects.current(NOW + timedelta(hours=2))) == []
