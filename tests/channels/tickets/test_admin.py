"""The staff side in the admin: the queue and the ticket page."""

import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from channels.tickets import services
from channels.tickets.admin import amount_plain, duration_text
from channels.tickets.models import (
    CannedReply,
    OutboundEmail,
    Ticket,
    TicketEvent,
    Topic,
)

Kind = Topic.Kind
PHRASE_12 = (
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)
QUEUE = "admin:channels_ticket_changelist"


def make_ticket(topics, **overrides):
    values = {
        "topic": topics[Kind.GENERAL],
        "email": "li.lei@example.com",
        "subject": "Cannot find the export button",
        "message": "Where is it?",
        "language": "en",
        "name": "Li Lei",
        "submission_key": secrets.token_hex(16),
    }
    values.update(overrides)
    return services.ticket_create(**values).ticket


def change_url(ticket):
    return reverse("admin:channels_ticket_change", args=[ticket.pk])


def page_data(ticket, **overrides):
    """The ticket page's POST as a browser sends it, unchanged."""
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee_id or "",
        "seen_version": ticket.version,
        "reply": "",
        "reply_status": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "_continue": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user(
        username="mei",
        first_name="Mei",
        password="pw",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def agent_client(agent):
    # The admin follows the browser's language.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    return client


# The queue ------------------------------------------------------------------


def test_queue_filters_assigned_to_me_and_unassigned(
    agent_client, agent, admin_user, topics
):
    mine = make_ticket(topics, subject="Mine")
    services.ticket_assign(ticket=mine, assignee=agent, actor=agent)
    theirs = make_ticket(topics, subject="Theirs")
    services.ticket_assign(ticket=theirs, assignee=admin_user, actor=agent)
    nobody = make_ticket(topics, subject="Nobody's")
    me = agent_client.get(reverse(QUEUE), {"assignee": "me"})
    unassigned = agent_client.get(reverse(QUEUE), {"assignee": "none"})
    assert [mine.reference in me.text, theirs.reference in me.text] == [True, False]
    assert nobody.reference in unassigned.text
    assert mine.reference not in unassigned.text


def test_queue_filters_overdue_and_waiting_on_us(agent_client, agent, topics):
    late = make_ticket(topics)
    Ticket.objects.filter(pk=late.pk).update(
        first_response_due_at=timezone.now() - timedelta(hours=1)
    )
    on_time = make_ticket(topics)
    waiting = make_ticket(topics)
    services.ticket_status_set(
        ticket=waiting, status=Ticket.Status.WAITING, actor=agent
    )
    overdue = agent_client.get(reverse(QUEUE), {"overdue": "yes"})
    ours = agent_client.get(reverse(QUEUE), {"waiting": "us"})
    assert late.reference in overdue.text
    assert on_time.reference not in overdue.text
    assert late.reference in ours.text and on_time.reference in ours.text
    assertNotContains(ours, waiting.reference)


def test_queue_search_finds_reference_email_and_subject(agent_client, topics):
    ticket = make_ticket(topics, email="zhang.wei@example.com", subject="Lost USDT")
    other = make_ticket(topics, email="other@example.com", subject="Other")
    for query in (ticket.reference, "zhang.wei@example.com", "Lost USDT"):
        response = agent_client.get(reverse(QUEUE), {"q": query})
        assertContains(response, ticket.reference)
        assertNotContains(response, other.reference)


def test_queue_sorts_by_next_due_time(agent_client, agent, topics):
    now = timezone.now()
    later = make_ticket(topics, subject="Later")
    sooner = make_ticket(topics, subject="Sooner")
    Ticket.objects.filter(pk=later.pk).update(
        first_response_due_at=now + timedelta(hours=5)
    )
    Ticket.objects.filter(pk=sooner.pk).update(
        first_response_due_at=now + timedelta(hours=1)
    )
    # Once answered, the resolution target is what is due next.
    services.ticket_reply_add(ticket=later, author=agent, body="On it.")
    Ticket.objects.filter(pk=later.pk).update(
        resolution_due_at=now + timedelta(minutes=30)
    )
    changelist = agent_client.get(reverse(QUEUE)).context["cl"]
    due_column = changelist.list_display.index("due")
    response = agent_client.get(reverse(QUEUE), {"o": str(due_column)})
    assert response.text.index(later.reference) < response.text.index(sooner.reference)


def test_queue_shows_overdue_flag_and_due_time(agent_client, topics):
    late = make_ticket(topics)
    Ticket.objects.filter(pk=late.pk).update(
        first_response_due_at=timezone.now() - timedelta(hours=1)
    )
    response = agent_client.get(reverse(QUEUE))
    assertContains(response, 'class="column-overdue"')
    assertContains(response, '<strong class="ticket-overdue">Overdue</strong>', count=1)


def test_queue_query_count_does_not_grow_with_tickets(
    agent_client, agent, topics, django_assert_num_queries
):
    for _n in range(2):
        ticket = make_ticket(topics)
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    with django_assert_num_queries(QUEUE_QUERIES) as few:
        agent_client.get(reverse(QUEUE))
    for _n in range(5):
        ticket = make_ticket(topics, topic=topics[Kind.LOGIN])
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    with django_assert_num_queries(QUEUE_QUERIES) as many:
        response = agent_client.get(reverse(QUEUE))
    assert len(few.captured_queries) == len(many.captured_queries)
    assert response.text.count("/change/") >= 7


# Session, user, the filters' topics, staff and channels, two counts, the
# page of tickets, the date hierarchy (two), the staff for "Assign to…", the
# languages.
QUEUE_QUERIES = 12


def test_bulk_assign_to_me_records_who_and_when(agent_client, agent, topics):
    tickets = [make_ticket(topics) for _n in range(2)]
    response = agent_client.post(
        reverse(QUEUE),
        {"action": "assign_to_me", "_selected_action": [t.pk for t in tickets]},
    )
    assert response.status_code == 302
    assert Ticket.objects.filter(assignee=agent).count() == 2
    events = TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNMENT)
    assert {(e.author, e.new_value) for e in events} == {(agent, "mei")}


def test_bulk_assign_to_chosen_staff(agent_client, agent, admin_user, topics):
    ticket = make_ticket(topics)
    agent_client.post(
        reverse(QUEUE),
        {
            "action": "assign_to_chosen",
            "assignee": admin_user.pk,
            "_selected_action": [ticket.pk],
        },
    )
    ticket.refresh_from_db()
    assert ticket.assignee == admin_user
    assert ticket.events.get().author == agent


def test_bulk_assign_to_chosen_without_choice_changes_nothing(agent_client, topics):
    ticket = make_ticket(topics)
    response = agent_client.post(
        reverse(QUEUE),
        {"action": "assign_to_chosen", "_selected_action": [ticket.pk]},
        follow=True,
    )
    assertContains(response, "Choose the staff member first.")
    assert not TicketEvent.objects.exists()


def test_bulk_status_and_priority_go_through_the_services(
    agent_client, agent, topics, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(topics)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(
            reverse(QUEUE),
            {"action": "status_resolved", "_selected_action": [ticket.pk]},
        )
    agent_client.post(
        reverse(QUEUE), {"action": "priority_urgent", "_selected_action": [ticket.pk]}
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("resolved", "urgent")
    assert ticket.resolved_at is not None
    kinds = list(ticket.events.values_list("kind", "author__username", "new_value"))
    assert kinds == [
        ("status_change", "mei", "resolved"),
        ("priority_change", "mei", "urgent"),
    ]
    assert [m.to for m in mailoutbox] == [["li.lei@example.com"]]
    assert "#rate" in mailoutbox[0].body


# The ticket page --------------------------------------------------------------


def test_public_reply_is_emailed_with_its_code(
    agent_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(topics)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            change_url(ticket),
            page_data(ticket, reply="Open Settings, then Export.", reply_status=""),
            follow=True,
        )
    reply = TicketEvent.objects.get(kind=TicketEvent.Kind.PUBLIC_REPLY)
    assertContains(response, reply.reply_code)
    assert mailoutbox[0].to == ["li.lei@example.com"]
    assert reply.reply_code in mailoutbox[0].body
    assert "Open Settings, then Export." in mailoutbox[0].body
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.first_response_at == reply.created_at


def test_reply_with_status_resolved_sends_one_mail_with_the_rating_link(
    agent_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(topics)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(
            change_url(ticket),
            page_data(ticket, reply="Fixed in 3.2.2.", reply_status="resolved"),
        )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert len(mailoutbox) == 1 and "#rate" in mailoutbox[0].body


def test_internal_note_sends_nothing_and_stays_off_the_status_page(
    client, agent_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    receipt = services.ticket_create(
        topic=topics[Kind.GENERAL],
        email="li.lei@example.com",
        subject="Subject",
        message="Message",
        language="en",
        submission_key=secrets.token_hex(16),
    )
    ticket = receipt.ticket
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = agent_client.post(
            change_url(ticket),
            page_data(ticket, reply="Looks like a scam victim.", reply_internal="on"),
            follow=True,
        )
    assertContains(page, "Internal note — never shown to the requester")
    assertContains(page, "Looks like a scam victim.")
    assert mailoutbox == []
    assert not OutboundEmail.objects.filter(subject__startswith="Reply").exists()
    status_page = client.get(
        services.ticket_status_path(ticket=ticket, token=receipt.token, language="en")
    )
    assert status_page.status_code == 200
    assertNotContains(status_page, "Looks like a scam victim.")


def test_reply_with_a_recovery_phrase_is_refused(
    agent_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(topics)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            change_url(ticket), page_data(ticket, reply=PHRASE_12)
        )
    assertContains(response, "recovery phrase or a private key, so it was not sent")
    assert not TicketEvent.objects.exists()
    assert mailoutbox == []


def test_canned_reply_insert_without_js_fills_the_box_and_sends_nothing(
    agent_client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(topics)
    canned = CannedReply.objects.create(
        title="Export", body="Hello {name}, about {reference} ({topic}):"
    )
    CannedReply.objects.create(title="Login only", body="x", topic=topics[Kind.LOGIN])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            change_url(ticket),
            page_data(
                ticket,
                reply="Thanks for writing.",
                canned_reply=canned.pk,
                _insert_canned="Insert",
            ),
        )
    assert response.status_code == 200
    textarea = response.context["adminform"].form["reply"].value()
    assert textarea == (
        f"Thanks for writing.\n\nHello Li Lei, about {ticket.reference} "
        f"({topics[Kind.GENERAL].name_en}):"
    )
    assertContains(response, "Nothing was sent")
    assertNotContains(response, "Login only")
    assert not TicketEvent.objects.exists() and mailoutbox == []


def test_second_of_two_concurrent_saves_is_refused_with_what_changed(
    agent_client, agent, admin_user, topics
):
    admin_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin_client.force_login(admin_user)
    ticket = make_ticket(topics)
    seen = page_data(ticket)  # both load the page at this version
    admin_client.post(change_url(ticket), {**seen, "status": "waiting"})
    response = agent_client.post(
        change_url(ticket),
        {**seen, "priority": "high", "reply": "My typed reply."},
    )
    assertContains(response, "Someone else changed this ticket")
    assertContains(response, "Status: Submitted → Waiting on you")
    assertContains(response, "My typed reply.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("waiting", "normal")
    assert not ticket.events.filter(kind=TicketEvent.Kind.PUBLIC_REPLY).exists()
    form = response.context["adminform"].form
    assert form["status"].value() == "waiting"
    assert str(form["seen_version"].value()) == str(ticket.version)


def test_ticket_page_shows_timeline_with_who_and_when(agent_client, agent, topics):
    ticket = make_ticket(topics)
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    services.ticket_priority_set(ticket=ticket, priority="high", actor=agent)
    services.ticket_reply_add(ticket=ticket, author=agent, body="We are on it.")
    response = agent_client.get(change_url(ticket))
    assertContains(response, "Assignee: nobody → mei")
    assertContains(response, "Priority: Normal → High")
    assertContains(response, "Status: Submitted → In progress")
    assertContains(response, "We are on it.")
    assertContains(response, '<span class="timeline-who">Mei</span>', count=4)


def test_ticket_page_shows_overdue(agent_client, topics):
    ticket = make_ticket(topics)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=5)
    )
    response = agent_client.get(change_url(ticket))
    assertContains(response, '<strong class="ticket-overdue">Overdue</strong>')


def test_ticket_page_shows_amount_plainly_and_network_by_name(agent_client, topics):
    ticket = make_ticket(
        topics,
        topic=topics[Kind.TRANSFER],
        details={"network": "ethereum", "amount": Decimal("25.5")},
    )
    response = agent_client.get(change_url(ticket))
    assertContains(response, "Ethereum (ERC-20)")
    assertContains(response, "25.5")
    assertNotContains(response, "25.500000")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("25.500000000000000000"), "25.5"),
        (Decimal("100.000000000000000000"), "100"),
        (Decimal("0.000000010000000000"), "0.00000001"),
        (None, "—"),
    ],
)
def test_amount_plain_drops_trailing_zeros_without_exponent(value, shown):
    assert amount_plain(value) == shown


def test_ticket_page_query_count_does_not_grow_with_other_tickets(
    agent_client, agent, topics, django_assert_num_queries
):
    ticket = make_ticket(topics)
    services.ticket_reply_add(ticket=ticket, author=agent, body="First.")
    CannedReply.objects.create(title="Hi", body="Hi {name}")
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        agent_client.get(change_url(ticket))
    for _n in range(3):
        other = make_ticket(topics)
        services.ticket_reply_add(ticket=other, author=agent, body="Other.")
        services.ticket_reply_add(ticket=ticket, author=agent, body="More.")
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    with django_assert_num_queries(TICKET_PAGE_QUERIES):
        response = agent_client.get(change_url(ticket))
    assertContains(response, "More.", count=3)


# Session, user, the ticket (twice: once for the timeline's context), the
# canned replies and the ticket's topic, the timeline (two), the parent, the
# screenshots, permissions' content type, the staff for the assignee, topics.
TICKET_PAGE_QUERIES = 11


def test_support_agent_works_the_queue_and_replies(
    topics, mailoutbox, django_capture_on_commit_callbacks
):
    from helpcenter.accounts.services import demo_staff_ensure

    agent, _created = demo_staff_ensure(username="agent", password="pw")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    ticket = make_ticket(topics)
    CannedReply.objects.create(title="Hello", body="Hello {name}")
    client.post(
        reverse(QUEUE), {"action": "assign_to_me", "_selected_action": [ticket.pk]}
    )
    page = client.get(change_url(ticket))
    assertContains(page, 'name="reply"')
    assertContains(page, "Hello Li Lei")
    ticket.refresh_from_db()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(ticket), page_data(ticket, reply="Answered."))
    assert ticket.events.filter(kind="public_reply", author=agent).exists()
    assert len(mailoutbox) == 1
    assert client.get(reverse("admin:channels_cannedreply_add")).status_code == 200
    assert client.get(reverse("admin:channels_slatarget_add")).status_code == 403
    assert agent.has_perm("channels.view_slatarget")
    assert not agent.has_perm("channels.change_supportchannel")


def test_sla_target_list_reads_in_plain_words(agent_client, topics):
    response = agent_client.get(reverse("admin:channels_slatarget_changelist"))
    # The seeded defaults: urgent 1 hour / 1 day, low 48 hours / 10 days.
    assertContains(response, "Any topic (default)")
    assertContains(response, '<td class="field-first_response_text">1 hour</td>')
    assertContains(response, '<td class="field-resolution_text">10 days</td>')


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (timedelta(hours=4), "4 hours"),
        (timedelta(days=2, minutes=30), "2 days 30 minutes"),
        (timedelta(minutes=1), "1 minute"),
    ],
)
def test_duration_text_says_days_hours_minutes(value, shown):
    with translation.override("en"):
        assert duration_text(value) == shown
