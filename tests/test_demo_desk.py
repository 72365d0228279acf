"""The demo help desk that load_demo adds: tickets, targets, replies, notice."""

import datetime
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from channels.tickets.models import (
    CannedReply,
    IncidentNotice,
    OutboundEmail,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketRating,
)
from channels.tickets.selectors import canned_reply_text, reply_code_check

STATUS_LINK = re.compile(r"http://\S+/contact/tickets/(CW-[0-9A-Z-]+)/\S+/")


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Ticket,
            TicketEvent,
            TicketRating,
            OutboundEmail,
            SlaTarget,
            CannedReply,
            IncidentNotice,
            get_user_model(),
        )
    } | {
        "ticket history": Ticket.history.count(),
        "event history": TicketEvent.history.count(),
        "canned history": CannedReply.history.count(),
    }


@pytest.mark.django_db
def test_demo_tickets_cover_every_status_with_one_overdue():
    _load()
    demo = Ticket.objects.filter(submission_key__startswith="demo-")
    assert set(demo.values_list("status", flat=True)) == set(Ticket.Status.values)
    assert set(demo.values_list("language", flat=True)) == {"zh-hans", "en"}
    overdue = Ticket.objects.overdue(timezone.now())
    assert list(overdue.values_list("submission_key", flat=True)) == [
        "demo-withdrawal-en"
    ]
    # Every event lies in the past, after its ticket came in.
    for event in TicketEvent.objects.select_related("ticket"):
        assert event.ticket.created_at <= event.created_at <= timezone.now()


@pytest.mark.django_db
def test_demo_conversations_have_replies_notes_assignments_and_ratings():
    _load()
    events = TicketEvent.objects.all()
    kinds = set(events.values_list("kind", flat=True))
    assert {
        TicketEvent.Kind.REQUESTER_MESSAGE,
        TicketEvent.Kind.PUBLIC_REPLY,
        TicketEvent.Kind.INTERNAL_NOTE,
        TicketEvent.Kind.STATUS_CHANGE,
        TicketEvent.Kind.ASSIGNMENT,
        TicketEvent.Kind.RATING,
    } <= kinds
    notes = events.filter(kind=TicketEvent.Kind.INTERNAL_NOTE)
    assert notes.exists() and not events.public().filter(pk__in=notes).exists()
    assert sorted(TicketRating.objects.values_list("rating", flat=True)) == [4, 5]
    assert set(TicketRating.objects.values_list("ticket__status", flat=True)) <= {
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
    }
    replies = events.filter(kind=TicketEvent.Kind.PUBLIC_REPLY).select_related("author")
    assert {reply.author.username for reply in replies} == {"demo", "demo-xiaolin"}
    assert all(reply.author.is_staff for reply in replies)
    # A requester can prove a demo reply is ours with the checker.
    assert reply_code_check(code=replies[0].reply_code) == replies[0]


@pytest.mark.django_db
def test_demo_status_link_opens_the_conversation_without_internal_notes(client):
    printed = _load()
    match = STATUS_LINK.search(printed)
    assert match, printed
    ticket = Ticket.objects.get(reference=match.group(1))
    response = client.get(urlsplit(match.group(0)).path)
    assertContains(response, ticket.reference)
    assertContains(response, "钱包里的 USDT 余额一直没变")
    assertContains(response, ticket.get_status_display())
    for note in TicketEvent.objects.filter(kind=TicketEvent.Kind.INTERNAL_NOTE):
        assertNotContains(response, note.body)
    replies = TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.PUBLIC_REPLY
    )
    assert replies
    for reply in replies:
        assertContains(response, f'data-reply-code="{reply.reply_code}"')
        assertContains(response, reply.body.splitlines()[0])


@pytest.mark.django_db
def test_demo_desk_has_targets_canned_replies_and_a_current_notice():
    _load()
    security = SlaTarget.objects.get(topic__slug="security", priority="urgent")
    assert security.first_response == datetime.timedelta(hours=1)
    for slug in ("transfers", "security", "account-login", "technical-issues"):
        assert CannedReply.objects.active().filter(topic__slug=slug).count() >= 2
    notice = IncidentNotice.objects.current(timezone.now()).get()
    assert notice.title_en == "Ethereum withdrawals delayed"
    assert notice.ends_at > timezone.now() + datetime.timedelta(days=2)
    assert set(notice.topics.values_list("slug", flat=True)) == {
        "transfers",
        "deposits-withdrawals",
    }
    ticket = Ticket.objects.get(submission_key="demo-transfer-zh")
    reply = CannedReply.objects.get(title="转账：请提供交易哈希")
    text = canned_reply_text(canned_reply=reply, ticket=ticket)
    assert text.startswith("张伟 您好") and ticket.reference in text


@pytest.mark.django_db
def test_load_demo_twice_adds_no_ticket_event_or_desk_row():
    _load()
    before = _counts()
    printed = _load()
    assert _counts() == before
    assert "Added 0 demo ticket(s)" in printed
    assert "Added 0 response-time target(s), 0 canned replies and 0" in printed


@pytest.mark.django_db
def test_load_desk_keeps_what_staff_changed():
    _load()
    target = SlaTarget.objects.get(topic__slug="security", priority="urgent")
    target.first_response = datetime.timedelta(minutes=30)
    target.save()
    reply = CannedReply.objects.filter(topic__slug="security").first()
    reply.body = "Edited by staff."
    reply.save()
    _load()
    target.refresh_from_db()
    reply.refresh_from_db()
    assert target.first_response == datetime.timedelta(minutes=30)
    assert reply.body == "Edited by staff."


# Real commits, as under `make run`: the replies' mails are sent on commit.
@pytest.mark.django_db(transaction=True)
def test_load_demo_sends_no_email_and_leaves_none_pending(mailoutbox):
    # Transactional tests share one database: tests/channels/test_migrations
    # leaves it at an older schema, so bring it to the latest first.
    call_command("migrate", verbosity=0)
    _load()
    assert Ticket.objects.filter(submission_key__startswith="demo-").count() == 7
    assert mailoutbox == []
    assert not OutboundEmail.objects.pending().exists()
