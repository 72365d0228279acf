import datetime
import re
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from channels.models import ContactLookup
from channels.tickets import services, status_views
from channels.tickets.forms import sign_parent
from channels.tickets.models import (
    OutboundEmail,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketRating,
    Topic,
)
from tests.channels.conftest import contact_data, image_bytes

Kind = Topic.Kind
PHRASE = "abandon " * 11 + "about"
NOTE = "Internal: the requester sounds like a scam victim, check KYC first."


@pytest.fixture(autouse=True)
def _english_urls():
    translation.activate("en")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="mei.staff", password="x", is_staff=True, first_name="Mei"
    )


def new_ticket(topics, **overrides):
    values = {
        "topic": topics[Kind.GENERAL],
        "email": "li.lei@example.com",
        "subject": "Export button",
        "message": "I cannot find the export button.",
        "language": "en",
        "submission_key": secrets.token_hex(16),
    }
    values.update(overrides)
    receipt = services.ticket_create(**values)
    return receipt.ticket, receipt.token


def url_for(ticket, token, name="channels:ticket_status"):
    return reverse(name, kwargs={"reference": ticket.reference, "token": token})


def reply_data(**overrides):
    return {"message": "Found it, thanks?", "submission_key": secrets.token_hex(16)} | (
        overrides
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Access ---------------------------------------------------------------------


def test_wrong_token_is_the_same_404_as_an_unknown_reference(client, topics):
    ticket, token = new_ticket(topics)
    wrong = client.get(url_for(ticket, "x" * 32))
    unknown = client.get(url_for(Ticket(reference="CW-0000-0000"), token))
    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert wrong.content == unknown.content
    assertContains(wrong, reverse("channels:ticket_lookup"), status_code=404)
    assertNotContains(wrong, ticket.reference, status_code=404)


@pytest.mark.parametrize("action", ["reply", "close", "nudge", "rate"])
def test_actions_need_the_right_token_and_write_nothing(client, topics, action):
    ticket, _token = new_ticket(topics)
    url = url_for(ticket, "x" * 32, f"channels:ticket_{action}")
    response = client.post(url, {**reply_data(), "rating": "5"})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.status, ticket.events.count(), TicketRating.objects.count()) == (
        Ticket.Status.NEW,
        0,
        0,
    )


def test_actions_refuse_get(client, topics):
    ticket, token = new_ticket(topics)
    response = client.get(url_for(ticket, token, "channels:ticket_close"))
    assert response.status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


# The conversation -------------------------------------------------------------


def test_conversation_is_shown_oldest_first_without_internal_notes(
    client, topics, staff, django_capture_on_commit_callbacks
):
    ticket, token = new_ticket(topics)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.ticket_reply_add(
            ticket=ticket,
            author=staff,
            body="Open Settings, then Export.",
            status=Ticket.Status.WAITING,
        )
        services.ticket_reply_add(ticket=ticket, author=staff, body=NOTE, internal=True)
    services.ticket_requester_reply(ticket=ticket, message="Still not there.")
    response = client.get(url_for(ticket, token))
    body = text_of(response)
    assertNotContains(response, "scam victim")
    assert "mei.staff" not in body
    positions = [
        body.index(text)
        for text in (
            "I cannot find the export button.",
            "Open Settings, then Export.",
            "Status changed to “Waiting on you”",
            "Still not there.",
        )
    ]
    assert positions == sorted(positions)
    assertContains(response, f'data-reply-code="{reply.reply_code}"', count=1)
    assertContains(
        response, reverse("channels:verify") + "?q=" + reply.reply_code, count=1
    )
    assert "<strong>Mei</strong> · support replied" in body
    moment = timezone.localtime(reply.created_at).replace(microsecond=0)
    assertContains(response, f'datetime="{moment.isoformat()}"')
    # Both of the requester's messages sit in the labelled own-words box.
    assertContains(response, "your own words, not a reply from support", count=2)


def test_staff_reply_is_emailed_with_the_code_the_page_shows(
    client, topics, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket, token = new_ticket(topics)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.ticket_reply_add(ticket=ticket, author=staff, body="Hello!")
        services.ticket_reply_add(ticket=ticket, author=staff, body=NOTE, internal=True)
    confirmation, mail = mailoutbox
    assert mail.to == ["li.lei@example.com"]
    assert f"Reply code: {reply.reply_code}" in mail.body
    assert "scam victim" not in mail.body
    assertContains(client.get(url_for(ticket, token)), reply.reply_code, count=3)


def test_team_name_answers_when_staff_has_no_first_name(
    client, topics, staff, settings
):
    staff.first_name = ""
    staff.save()
    ticket, token = new_ticket(topics)
    services.ticket_reply_add(ticket=ticket, author=staff, body="Hi")
    team = f"<strong>{settings.HELPCENTER_PRODUCT_NAME} Support</strong>"
    assertContains(client.get(url_for(ticket, token)), team)


def test_status_page_query_count_does_not_grow_with_tickets(
    client, topics, staff, django_assert_num_queries
):
    def conversation(ticket):
        services.ticket_reply_add(ticket=ticket, author=staff, body="Answer")
        services.ticket_requester_reply(ticket=ticket, message="More details")
        services.ticket_reply_add(ticket=ticket, author=staff, body="n", internal=True)

    ticket, token = new_ticket(topics)
    conversation(ticket)
    # The ticket (with its rating), its events, their screenshots, and the
    # first message's screenshots.
    with django_assert_num_queries(4):
        client.get(url_for(ticket, token), HTTP_COOKIE="")
    for _n in range(30):
        conversation(new_ticket(topics)[0])
    with django_assert_num_queries(4):
        response = client.get(url_for(ticket, token), HTTP_COOKIE="")
    assertContains(response, "More details")


# Replying ---------------------------------------------------------------------


def test_reply_is_added_and_moves_waiting_to_in_progress(client, topics, staff):
    ticket, token = new_ticket(topics)
    services.ticket_status_set(ticket=ticket, status=Ticket.Status.WAITING, actor=staff)
    shot = SimpleUploadedFile("shot.png", image_bytes(), "image/png")
    response = client.post(
        url_for(ticket, token, "channels:ticket_reply"),
        reply_data(attachments=[shot]),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url_for(ticket, token) + "#reply"
    assertContains(response, "Thank you, your reply was added.")
    assertContains(response, "Found it, thanks?")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    event = ticket.events.get(kind=TicketEvent.Kind.REQUESTER_MESSAGE)
    [attachment] = event.attachments.all()
    name = attachment.file.name.removeprefix("tickets/")
    shown = reverse(
        "channels:ticket_screenshot",
        kwargs={"reference": ticket.reference, "token": token, "name": name},
    )
    assertContains(response, shown)
    assert client.get(shown)["Content-Type"] == "image/png"


def test_screenshot_opens_only_with_its_own_tickets_link(client, topics):
    shot = services.Screenshot(image_bytes(), "a.png", "image/png", 40, 30)
    ticket, token = new_ticket(topics, screenshots=[shot])
    other, other_token = new_ticket(topics)
    name = TicketAttachment.objects.get().file.name.removeprefix("tickets/")

    def get(ticket, token):
        kwargs = {"reference": ticket.reference, "token": token, "name": name}
        return client.get(reverse("channels:ticket_screenshot", kwargs=kwargs))

    assert get(ticket, token).status_code == 200
    assert (get(ticket, "x" * 32).status_code, get(other, other_token).status_code) == (
        404,
        404,
    )


def test_duplicate_reply_submission_adds_one_message(client, topics):
    ticket, token = new_ticket(topics)
    data = reply_data()
    for _n in range(2):
        client.post(url_for(ticket, token, "channels:ticket_reply"), data)
    assert ticket.events.filter(kind=TicketEvent.Kind.REQUESTER_MESSAGE).count() == 1


def test_reply_with_recovery_phrase_is_refused_and_not_echoed(client, topics):
    ticket, token = new_ticket(topics)
    response = client.post(
        url_for(ticket, token, "channels:ticket_reply"),
        reply_data(message=f"my words {PHRASE}"),
    )
    assertContains(response, "recovery phrase or a private key", status_code=400)
    assertNotContains(response, PHRASE, status_code=400)
    assert ticket.events.count() == 0


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"message": ""}, "This field is required."),
        ({"message": "x" * 5001}, "at most 5000 characters"),
        ({"submission_key": "forged"}, "The form has expired."),
    ],
)
def test_invalid_reply_is_a_400_and_writes_nothing(
    client, topics, settings, data, error
):
    ticket, token = new_ticket(topics)
    shot = SimpleUploadedFile("shot.png", image_bytes(), "image/png")
    response = client.post(
        url_for(ticket, token, "channels:ticket_reply"),
        reply_data(attachments=[shot], **data),
    )
    assertContains(response, error, status_code=400)
    assert (ticket.events.count(), TicketAttachment.objects.count()) == (0, 0)


def test_reply_with_a_fake_image_is_refused(client, topics):
    ticket, token = new_ticket(topics)
    fake = SimpleUploadedFile("shot.png", b"<script>", "image/png")
    response = client.post(
        url_for(ticket, token, "channels:ticket_reply"), reply_data(attachments=[fake])
    )
    assert response.status_code == 400
    assert ticket.events.count() == 0


def test_replies_are_rate_limited_per_ticket(client, topics):
    ticket, token = new_ticket(topics)
    url = url_for(ticket, token, "channels:ticket_reply")
    for _n in range(status_views.REPLY_TICKET_LIMIT):
        assert client.post(url, reply_data()).status_code == 302
    response = client.post(url, reply_data())
    assert response.status_code == 429
    assert ticket.events.count() == status_views.REPLY_TICKET_LIMIT


def test_a_reply_sent_again_counts_once(client, topics):
    ticket, token = new_ticket(topics)
    url = url_for(ticket, token, "channels:ticket_reply")
    again = reply_data()
    for _attempt in range(status_views.REPLY_TICKET_LIMIT + 2):  # answers lost
        assert client.post(url, again).status_code == 302
    statuses = [
        client.post(url, reply_data()).status_code
        for _n in range(status_views.REPLY_TICKET_LIMIT)
    ]
    assert statuses == [302] * (status_views.REPLY_TICKET_LIMIT - 1) + [429]
    assert ticket.events.count() == status_views.REPLY_TICKET_LIMIT


def test_reply_within_7_days_of_resolution_reopens(client, topics, staff):
    ticket, token = new_ticket(topics)
    resolve(ticket, staff)
    page = client.get(url_for(ticket, token))
    assertContains(page, "Reply within 7 days of the resolution")
    client.post(url_for(ticket, token, "channels:ticket_reply"), reply_data())
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def resolve(ticket, staff):
    services.ticket_status_set(
        ticket=ticket, status=Ticket.Status.RESOLVED, actor=staff
    )


def _resolved_long_ago(ticket, staff):
    resolve(ticket, staff)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - datetime.timedelta(days=8)
    )


def test_after_the_reopen_window_a_linked_new_request_is_offered(
    client, topics, staff, mailoutbox
):
    ticket, token = new_ticket(topics)
    _resolved_long_ago(ticket, staff)
    page = client.get(url_for(ticket, token))
    assertNotContains(page, 'name="message"')
    assertContains(page, "Start a new request about this")
    link = re.search(r'href="(/en/contact/\?parent=[^"]+)"', page.content.decode())
    form = client.get(link.group(1).replace("&amp;", "&"))
    assertContains(form, f"linked to your earlier request {ticket.reference}")
    assertContains(form, '<option value="topic-general" data-kind="general" selected>')
    parent = re.search(r'name="parent" value="([^"]+)"', form.content.decode())
    data = contact_data(topics[Kind.GENERAL], parent=parent.group(1))
    assert client.post(reverse("channels:contact"), data).status_code == 302
    assert Ticket.objects.get(parent=ticket).subject == data["subject"]


def test_reply_after_the_reopen_window_is_refused_and_writes_nothing(
    client, topics, staff
):
    ticket, token = new_ticket(topics)
    _resolved_long_ago(ticket, staff)
    response = client.post(
        url_for(ticket, token, "channels:ticket_reply"), reply_data(), follow=True
    )
    assertContains(response, "can no longer be reopened")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.events.count()) == (Ticket.Status.RESOLVED, 1)


@pytest.mark.parametrize("forged", ["CW-AAAA-AAAA", "reference:CW-AAAA-AAAA:bad"])
def test_contact_form_ignores_a_parent_not_signed_by_a_status_page(
    client, topics, forged
):
    old, _token = new_ticket(topics, submission_key=secrets.token_hex(16))
    Ticket.objects.filter(pk=old.pk).update(reference="CW-AAAA-AAAA")
    data = contact_data(topics[Kind.GENERAL], parent=forged)
    assert client.post(reverse("channels:contact"), data).status_code == 302
    assert Ticket.objects.filter(parent__isnull=False).count() == 0


def test_signed_parent_links_only_the_ticket_it_names(client, topics):
    old, _token = new_ticket(topics)
    data = contact_data(topics[Kind.GENERAL], parent=sign_parent(ticket=old))
    client.post(reverse("channels:contact"), data)
    assert Ticket.objects.get(parent__isnull=False).parent == old


# Close and nudge ----------------------------------------------------------------


def test_close_this_request(client, topics, mailoutbox):
    ticket, token = new_ticket(topics)
    response = client.post(url_for(ticket, token, "channels:ticket_close"), follow=True)
    assertContains(response, "Your request is closed.")
    assertContains(response, "Start a new request about this")
    assertNotContains(response, "Close this request")
    ticket.refresh_from_db()
    assert (ticket.status, len(mailoutbox)) == (Ticket.Status.CLOSED, 1)


def test_nudge_is_explained_until_the_answer_time_has_passed(client, topics):
    ticket, token = new_ticket(topics)
    response = client.get(url_for(ticket, token))
    assertContains(response, "once the promised answer time has passed")
    assertNotContains(response, ">Nudge</button>")
    client.post(url_for(ticket, token, "channels:ticket_nudge"))
    ticket.refresh_from_db()
    assert (ticket.nudge_count, ticket.events.count()) == (0, 0)


def test_nudge_once_a_day_after_the_answer_time(client, topics):
    ticket, token = new_ticket(topics)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2),
        first_response_due_at=timezone.now() - datetime.timedelta(days=1),
    )
    assertContains(client.get(url_for(ticket, token)), ">Nudge</button>")
    with translation.override("zh-hans"):
        chinese = client.get(url_for(ticket, token))
    assertContains(chinese, ">催办</button>")
    response = client.post(url_for(ticket, token, "channels:ticket_nudge"), follow=True)
    assertContains(response, "your request moved up in our queue")
    assertContains(response, "You can send one reminder a day.")
    again = client.post(url_for(ticket, token, "channels:ticket_nudge"), follow=True)
    assertContains(again, "You can send one reminder a day.")
    ticket.refresh_from_db()
    assert (ticket.nudge_count, ticket.priority) == (1, "high")


def test_no_nudge_once_support_has_answered(client, topics, staff):
    ticket, token = new_ticket(topics)
    services.ticket_reply_add(ticket=ticket, author=staff, body="Hi")
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    response = client.get(url_for(ticket, token))
    assertNotContains(response, ">Nudge</button>")
    assertNotContains(response, "reminder")


# Rating -------------------------------------------------------------------------


def test_rating_is_offered_only_after_resolution(client, topics):
    ticket, token = new_ticket(topics)
    assertNotContains(client.get(url_for(ticket, token)), 'id="rate"')
    response = client.post(
        url_for(ticket, token, "channels:ticket_rate"), {"rating": "5"}, follow=True
    )
    assertContains(response, "once the request is resolved")
    assert TicketRating.objects.count() == 0


def test_rating_once_and_never_changed(client, topics, staff):
    ticket, token = new_ticket(topics)
    resolve(ticket, staff)
    page = client.get(url_for(ticket, token))
    assertContains(page, 'id="rate"')
    assertContains(page, 'type="radio" name="rating"', count=5)
    url = url_for(ticket, token, "channels:ticket_rate")
    response = client.post(url, {"rating": "4", "comment": "Quick"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#rate")
    assertContains(response, "You rated our answer 4 out of 5.")
    assertNotContains(response, 'name="rating"')
    client.post(url, {"rating": "1"})
    rating = TicketRating.objects.get()
    assert (rating.rating, rating.comment) == (4, "Quick")


@pytest.mark.parametrize(
    "data", [{"rating": "9"}, {"rating": ""}, {"rating": "4", "comment": PHRASE}]
)
def test_invalid_rating_is_a_400_and_writes_nothing(client, topics, staff, data):
    ticket, token = new_ticket(topics)
    resolve(ticket, staff)
    response = client.post(url_for(ticket, token, "channels:ticket_rate"), data)
    assert response.status_code == 400
    assertNotContains(response, PHRASE, status_code=400)
    assert TicketRating.objects.count() == 0


# The checker ----------------------------------------------------------------------


def verdicts(response):
    return re.findall(r'data-verdict="([^"]+)"', response.content.decode())


def test_checker_confirms_a_genuine_reply_code_and_reveals_nothing_else(
    client, topics, staff
):
    ticket, _token = new_ticket(topics)
    reply = services.ticket_reply_add(ticket=ticket, author=staff, body="Top secret")
    typed = reply.reply_code.lower().replace("-", " ")
    response = client.get(reverse("channels:verify"), {"q": typed})
    assert verdicts(response) == ["official"]
    assertContains(response, "This is a genuine reply code from our support")
    for hidden in ("Top secret", ticket.reference, ticket.email):
        assertNotContains(response, hidden)
    # The staff member's name, as a word: a random CSRF token may hold "Mei".
    assert not re.search(r"\bMei\b", response.content.decode())
    assert ContactLookup.objects.count() == 0


def test_checker_says_a_fake_code_is_not_ours(client, topics, staff):
    ticket, _token = new_ticket(topics)
    services.ticket_reply_add(ticket=ticket, author=staff, body="Hi")
    services.ticket_reply_add(ticket=ticket, author=staff, body="n", internal=True)
    response = client.get(reverse("channels:verify"), {"q": "ZZZZ-ZZZZ"})
    assert verdicts(response) == ["not-official"]
    assertContains(response, "This code is not one of ours")
    assert ContactLookup.objects.count() == 0


def test_checker_code_checks_are_rate_limited(client, db):
    url = reverse("channels:verify")
    for _n in range(30):
        assert client.get(url, {"q": "ZZZZ-ZZZZ"}).status_code == 200
    assert client.get(url, {"q": "ZZZZ-ZZZY"}).status_code == 429
    # Contacts are still checked.
    assert client.get(url, {"q": "+86 400 000 0000"}).status_code == 200


def test_checker_reads_an_eight_character_handle_as_a_contact(client, db):
    response = client.get(reverse("channels:verify"), {"q": "wxid1234"})
    assertNotContains(response, "This code is not one of ours")
    assert verdicts(response) == ["not-official"]


# Lost link ------------------------------------------------------------------------


def page_text(response) -> str:
    # The CSRF token is masked afresh on every page.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text_of(response))


def lookup(client, reference, email="li.lei@example.com"):
    return client.post(
        reverse("channels:ticket_lookup"),
        {"reference": reference, "email": email},
        follow=True,
    )


def test_lost_link_answers_the_same_and_mails_only_the_real_pair(
    client, topics, mailoutbox
):
    ticket, _token = new_ticket(topics)
    mailoutbox.clear()
    real = lookup(client, ticket.reference.lower().replace("-", " "))
    unknown = lookup(client, "CW-0000-0000")
    wrong_mail = lookup(client, ticket.reference, email="other@example.com")
    assert page_text(real) == page_text(unknown) == page_text(wrong_mail)
    assertContains(real, "If this reference and e-mail address belong to a request")
    assert mailoutbox == []
    services.email_send_pending()
    [mail] = mailoutbox
    assert mail.to == ["li.lei@example.com"]
    assert f"/en/contact/tickets/{ticket.reference}/" in mail.body


def test_lost_link_page_is_linked_from_the_contact_form(client, topics):
    response = client.get("/en/contact/lookup/")
    assertContains(response, 'name="reference"')
    assertContains(client.get(reverse("channels:contact")), "/en/contact/lookup/")


@pytest.mark.parametrize(
    ("reference", "email", "error"),
    [
        ("hello", "li.lei@example.com", "This is not a request reference."),
        ("CW-0000-0000", "nope", "Enter a valid email address."),
    ],
)
def test_lost_link_bad_input_is_a_400_and_queues_nothing(
    client, topics, reference, email, error
):
    new_ticket(topics)
    sent = OutboundEmail.objects.count()
    response = client.post(
        reverse("channels:ticket_lookup"), {"reference": reference, "email": email}
    )
    assertContains(response, error, status_code=400)
    assert OutboundEmail.objects.count() == sent


def test_lost_link_is_rate_limited_per_email(client, topics):
    ticket, _token = new_ticket(topics)
    sent = OutboundEmail.objects.count()
    for _n in range(status_views.LOOKUP_EMAIL_LIMIT):
        lookup(client, ticket.reference)
    response = lookup(client, ticket.reference, email="Li.Lei+x@example.com")
    assert response.status_code == 429
    assert OutboundEmail.objects.count() == sent + status_views.LOOKUP_EMAIL_LIMIT


def test_lost_link_is_rate_limited_per_client(client, db):
    for n in range(status_views.LOOKUP_IP_LIMIT):
        lookup(client, "CW-0000-0000", email=f"a{n}@example.com")
    assert lookup(client, "CW-0000-0000", email="z@example.com").status_code == 429
