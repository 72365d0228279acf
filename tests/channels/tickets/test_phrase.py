"""The requester's anti-phishing phrase: set on the status page, repeated at
the top of every later e-mail, shown to nobody without the status link."""

import re
import secrets

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from channels.tickets import links, services
from channels.tickets.models import OutboundEmail, Ticket, Topic

Kind = Topic.Kind
MINE = "blue heron at dawn"
SENTENCE = "An e-mail about this request without this phrase is not from us."


@pytest.fixture(autouse=True)
def _english_urls():
    translation.activate("en")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="mei.staff", password="x", is_staff=True, first_name="Mei"
    )


@pytest.fixture
def opened(topics):
    receipt = services.ticket_create(
        topic=topics[Kind.GENERAL],
        email="li.lei@example.com",
        subject="Export button",
        message="I cannot find the export button.",
        language="en",
        submission_key=secrets.token_hex(16),
    )
    return receipt.ticket, receipt.token


def url_for(ticket, token, name="channels:ticket_status"):
    return reverse(name, kwargs={"reference": ticket.reference, "token": token})


def proof(ticket):
    """The mailbox proof our e-mailed status links carry."""
    ticket.refresh_from_db()
    return links.mailbox_proof(reference=ticket.reference, status_key=ticket.status_key)


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk).antiphishing_phrase


def test_phrase_set_is_stored_and_shown_at_the_top(client, opened):
    ticket, token = opened
    response = client.post(
        url_for(ticket, token, "channels:ticket_phrase"),
        {"m": proof(ticket), "phrase": MINE},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#phrase")
    assert stored(ticket) == MINE
    page = client.get(url_for(ticket, token))
    assertContains(page, f"Your anti-phishing phrase: “{MINE}”. {SENTENCE}")
    html = page.content.decode()
    assert html.index("data-phrase") < html.index('id="conversation"')


def test_phrase_can_be_changed(client, opened):
    ticket, token = opened
    client.post(
        url_for(ticket, token, "channels:ticket_phrase"),
        {"m": proof(ticket), "phrase": MINE},
    )
    client.post(
        url_for(ticket, token, "channels:ticket_phrase"),
        {"m": proof(ticket), "phrase": "red kite 42"},
    )
    assert stored(ticket) == "red kite 42"
    assertNotContains(client.get(url_for(ticket, token)), MINE)


@pytest.mark.parametrize(
    "phrase, code",
    [
        ("abandon " * 11 + "about", "secret"),
        ("call +86 138 0013 8000", "contact"),
        ("visit cobalt-help.example", "contact"),
        ("write help@evil.example", "contact"),
        ("pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "contact"),
        ("x" * 41, "max_length"),
        ("ab", "min_length"),
        ("first line\nsecond", "control"),
    ],
)
def test_phrase_refused_stores_nothing(client, opened, phrase, code):
    ticket, token = opened
    response = client.post(
        url_for(ticket, token, "channels:ticket_phrase"),
        {"m": proof(ticket), "phrase": phrase},
    )
    assert response.status_code == 400
    form = response.context["phrase_form"]
    assert code in {e.code for errors in form.errors.as_data().values() for e in errors}
    assert stored(ticket) == ""
    if code == "secret":
        assertNotContains(response, "abandon abandon", status_code=400)


def test_phrase_wrong_token_is_404_and_stores_nothing(client, opened):
    ticket, _token = opened
    response = client.post(
        url_for(ticket, "x" * 32, "channels:ticket_phrase"),
        {"m": proof(ticket), "phrase": MINE},
    )
    assert response.status_code == 404
    assert stored(ticket) == ""


def test_phrase_not_on_any_page_without_the_token(client, opened):
    ticket, token = opened
    services.ticket_phrase_set(ticket=ticket, phrase=MINE)
    for url in (
        url_for(ticket, "x" * 32),
        reverse("channels:ticket_lookup"),
        reverse("channels:verify") + "?q=" + ticket.reference,
        reverse("channels:contact"),
    ):
        response = client.get(url)
        assert MINE not in response.content.decode(), url


def test_phrase_service_refuses_a_secret(opened):
    ticket, _token = opened
    from channels.secrets import SecretFound

    with pytest.raises(SecretFound):
        services.ticket_phrase_set(ticket=ticket, phrase="abandon " * 11 + "about")
    with pytest.raises(services.TicketError):
        services.ticket_phrase_set(ticket=ticket, phrase="a\nb c d")
    assert stored(ticket) == ""


def test_every_later_email_opens_with_the_phrase(
    opened, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket, _token = opened
    mailoutbox.clear()
    services.ticket_phrase_set(ticket=ticket, phrase=MINE)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply_add(ticket=ticket, author=staff, body="Menu, Export.")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_status_set(
            ticket=Ticket.objects.get(pk=ticket.pk), status=Ticket.Status.RESOLVED
        )
    services.status_link_resend(reference=ticket.reference, email=ticket.email)
    services.email_send_pending()
    assert [m.subject for m in mailoutbox] == [
        f"Reply to your request {ticket.reference}",
        f"Your request {ticket.reference} is resolved",
        f"Your link to request {ticket.reference}",
    ]
    for message in mailoutbox:
        assert message.body.startswith(
            f"Your anti-phishing phrase: “{MINE}”. {SENTENCE}\n\n"
        )


def test_phrase_in_chinese_email(
    opened, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket, _token = opened
    Ticket.objects.filter(pk=ticket.pk).update(language="zh-hans")
    ticket = Ticket.objects.get(pk=ticket.pk)
    services.ticket_phrase_set(ticket=ticket, phrase="蓝色苍鹭")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply_add(ticket=ticket, author=staff, body="菜单，导出。")
    assert mailoutbox[0].body.startswith(
        "您的防钓鱼短语：“蓝色苍鹭”。关于此工单的邮件如果没有这句短语，就不是我们发的。"
    )


def test_emails_have_no_phrase_line_when_unset(
    opened, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket, _token = opened
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply_add(ticket=ticket, author=staff, body="Menu, Export.")
    assert mailoutbox[0].body.startswith("Support replied to your request")
    assert "anti-phishing" not in mailoutbox[0].body
    assert OutboundEmail.objects.filter(body__contains="anti-phishing").count() == 0


def test_staff_admin_shows_phrase_read_only(admin_client, opened):
    ticket, _token = opened
    services.ticket_phrase_set(ticket=ticket, phrase=MINE)
    page = admin_client.get(reverse("admin:channels_ticket_change", args=[ticket.pk]))
    assertContains(page, MINE)
    assertNotContains(page, 'name="antiphishing_phrase"')


def test_phrase_is_set_only_from_the_link_we_e_mailed(client, opened, mailoutbox):
    # The link shown after submitting proves nothing about the mailbox: a
    # scammer filing in a victim's name must not make our e-mails carry
    # words of the scammer's choosing.
    ticket, token = opened
    page = client.get(url_for(ticket, token))
    assertNotContains(page, 'name="phrase"')
    assertContains(page, "open this page from the link in our e-mail")
    refused = client.post(
        url_for(ticket, token, "channels:ticket_phrase"), {"phrase": MINE}
    )
    forged = client.post(
        url_for(ticket, token, "channels:ticket_phrase"),
        {"m": "0" * 16, "phrase": MINE},
    )
    assert (refused.status_code, forged.status_code) == (403, 403)
    assert stored(ticket) == ""
    mailed = re.search(r"http://\S+\?m=(\w+)", mailoutbox[0].body).group(0)
    page = client.get(mailed.replace("http://testserver", ""))
    assertContains(page, 'name="phrase"')
