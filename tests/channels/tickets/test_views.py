import io
import json
import re
import secrets
import smtplib
import time
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from channels.models import OutboundEmail, Ticket, TicketAttachment
from channels.tickets import views
from channels.tickets.models import Topic
from tests.channels.conftest import (
    FORM_SESSION_ID,
    TRANSFER_FIELDS,
    contact_data,
    image_bytes,
    started_token,
)
from tests.channels.test_secrets import REPRODUCTIONS
from tests.factories import make_article

FORM_REPRODUCTIONS = {
    label: fields
    for label, fields in REPRODUCTIONS.items()
    if label != "abbreviated phrase in a search"
}

Kind = Topic.Kind
PHRASE = "abandon " * 11 + "about"


@pytest.fixture(autouse=True)
def _english_urls():
    # Most tests here read English pages through reverse(); those about the
    # Chinese pages say so with translation.override("zh-hans").
    translation.activate("en")


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return (
        sorted(path.name for path in root.rglob("*") if path.is_file())
        if root.exists()
        else []
    )


def submit(client, data, **extra):
    return client.post(reverse("channels:contact"), data, **extra)


# Channels page -------------------------------------------------------------


def test_contact_page_literal_path_prefills_category_and_article(
    client, topics, django_assert_num_queries
):
    make_article(
        category=topics[Kind.TRANSFER].category, slug="stuck", title="Stuck transfer"
    )
    # Categories, the article and the incident notices.
    with django_assert_num_queries(3):
        response = client.get("/en/contact/?category=topic-transfer&article=stuck")
    assertContains(
        response,
        '<option value="topic-transfer" data-kind="transfer" selected>',
        count=1,
    )
    assertContains(response, "Stuck transfer")
    assertContains(response, 'name="article" value="stuck"')
    assertContains(response, "will never ask for your recovery phrase")


def test_contact_creates_ticket_sends_email_and_shows_status(
    client, topics, official_channels, mailoutbox
):
    article = make_article(category=topics[Kind.TRANSFER].category, slug="stuck")
    data = contact_data(topics[Kind.TRANSFER], article="stuck", **TRANSFER_FIELDS)
    response = submit(client, data, follow=True)
    ticket = Ticket.objects.get()
    assert (ticket.tx_hash, ticket.asset, ticket.article, ticket.channel) == (
        TRANSFER_FIELDS["tx_hash"],
        "USDT",
        article,
        official_channels["web_form"],
    )
    assertContains(response, ticket.reference)
    assertContains(response, "we received your request")
    assert re.fullmatch(
        r"CW-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", ticket.reference
    )
    [message] = mailoutbox
    assert message.to == ["li.lei@example.com"]
    assert message.subject == f"We received your request {ticket.reference}"
    assert response.redirect_chain[0][0] in message.body
    assert "never ask for your recovery phrase" in message.body
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_contact_stores_reencoded_screenshots_under_random_names(
    client, topics, settings
):
    shots = [
        SimpleUploadedFile(f"me-{n}.png", image_bytes(), "image/png") for n in range(2)
    ]
    response = submit(
        client,
        {
            **contact_data(topics[Kind.ERROR], app_version="1", device="d", os="o"),
            "attachments": shots,
        },
    )
    assert response.status_code == 302
    names = stored_files(settings)
    assert len(names) == 2 and not any(name.startswith("me-") for name in names)
    assert TicketAttachment.objects.filter(ticket=Ticket.objects.get()).count() == 2


def test_contact_invalid_input_writes_nothing(client, topics, mailoutbox, settings):
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    data = {
        **contact_data(topics[Kind.GENERAL], email="nope"),
        "attachments": [shot],
    }
    response = submit(client, data)
    assertContains(response, "Enter a valid email address.")
    assert (Ticket.objects.count(), mailoutbox, stored_files(settings)) == (0, [], [])


def test_contact_unknown_category_is_a_form_error(client, topics, mailoutbox):
    response = submit(client, contact_data(topics[Kind.GENERAL], category="forged"))
    assertContains(response, "Please choose one of the listed topics.")
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_with_recovery_phrase_is_refused_without_echo(
    client, topics, mailoutbox
):
    response = submit(
        client, contact_data(topics[Kind.GENERAL], message=f"words: {PHRASE}")
    )
    assertContains(response, "seems to contain a recovery phrase or a private key")
    assertNotContains(response, "abandon abandon")
    assert (Ticket.objects.count(), OutboundEmail.objects.count(), mailoutbox) == (
        0,
        0,
        [],
    )
    assert "abandon" not in str(dict(client.session))


def test_contact_hash_in_message_needs_confirmation(client, topics):
    message = "Transaction " + "ab" * 32 + " has not arrived."
    data = contact_data(topics[Kind.GENERAL], message=message)
    first = submit(client, data)
    assertContains(first, 'name="confirm_no_secret"')
    second = submit(client, {**data, "confirm_no_secret": "on"})
    assert second.status_code == 302 and Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [{"website": "http://spam.test"}, {"started": ""}],
    ids=["honeypot", "no-start-time"],
)
def test_contact_spam_is_refused_with_400(client, topics, mailoutbox, overrides):
    response = submit(client, contact_data(topics[Kind.GENERAL], **overrides))
    assert response.status_code == 400
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_too_fast_is_refused_with_400(client, topics):
    data = contact_data(topics[Kind.GENERAL])
    # Shown "a minute from now": still too fast however slowly this test
    # runs (at 0 seconds ago, a machine busy for 3 s let it through).
    response = submit(client, {**data, "started": started_token(data, -60)})
    assertContains(response, "That was too fast", status_code=400)
    assert Ticket.objects.count() == 0


def test_contact_without_csrf_token_is_refused(topics, mailoutbox):
    from django.test import Client

    response = submit(
        Client(enforce_csrf_checks=True), contact_data(topics[Kind.GENERAL])
    )
    assert response.status_code == 403
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_invalid_attempts_do_not_use_up_the_allowance(client, topics):
    for _number in range(views.CONTACT_IP_LIMIT + 5):
        submit(client, contact_data(topics[Kind.GENERAL], email="bad"))
    response = submit(client, contact_data(topics[Kind.GENERAL]))
    assert response.status_code == 302 and Ticket.objects.count() == 1


def _tickets_from(client, topics, addresses, count):
    return [
        submit(
            client,
            contact_data(topics[Kind.GENERAL], email=f"user{number}@example.com"),
            REMOTE_ADDR=addresses[number % len(addresses)],
        )
        for number in range(count)
    ]


def test_contact_rate_limit_per_ip_counts_tickets(client, topics):
    limit = views.CONTACT_IP_LIMIT
    responses = _tickets_from(client, topics, ["203.0.113.9"], limit)
    assert {response.status_code for response in responses} == {302}
    response = submit(
        client, contact_data(topics[Kind.GENERAL]), REMOTE_ADDR="203.0.113.9"
    )
    assertContains(response, "Too many requests", status_code=429)
    assert Ticket.objects.count() == views.CONTACT_IP_LIMIT


def test_contact_rate_limit_groups_ipv6_by_64(client, topics):
    addresses = [f"2001:db8:1:2:{number:x}::1" for number in range(1, 50)]
    _tickets_from(client, topics, addresses, views.CONTACT_IP_LIMIT)
    response = submit(
        client,
        contact_data(topics[Kind.GENERAL]),
        REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe",
    )
    assert response.status_code == 429
    other_network = submit(
        client, contact_data(topics[Kind.GENERAL]), REMOTE_ADDR="2001:db8:1:3::1"
    )
    assert other_network.status_code == 302
    assert Ticket.objects.count() == views.CONTACT_IP_LIMIT + 1


def test_contact_blocked_spam_uses_up_the_allowance(client, topics):
    for _number in range(views.CONTACT_IP_LIMIT):
        submit(client, contact_data(topics[Kind.GENERAL], website="http://x.test"))
    response = submit(client, contact_data(topics[Kind.GENERAL]))
    assert response.status_code == 429 and Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "variant",
    ["LI.LEI@example.com", "li.lei+shop@example.com", "Li.Lei+a+b@EXAMPLE.com"],
)
def test_contact_rate_limit_per_email(client, topics, variant):
    for number in range(views.CONTACT_EMAIL_LIMIT):
        submit(
            client,
            contact_data(topics[Kind.GENERAL], email=f"li.lei+{number}@example.com"),
            REMOTE_ADDR=f"10.0.0.{number}",
        )
    response = submit(
        client,
        contact_data(topics[Kind.GENERAL], email=variant),
        REMOTE_ADDR="10.0.1.1",
    )
    assert response.status_code == 429
    assert Ticket.objects.count() == views.CONTACT_EMAIL_LIMIT


class WorkerKilled(BaseException):
    """The request ends here, as when its worker is killed: nothing after
    it runs, no refund either."""


def _killed(**_arguments):
    raise WorkerKilled


def test_contact_form_cut_off_mid_request_is_charged_once(client, topics, monkeypatch):
    # Each attempt was counted, then its worker died before the ticket was
    # stored; the form, sent again, still gets through.
    data = contact_data(topics[Kind.GENERAL])
    with monkeypatch.context() as patch:
        patch.setattr(views.services, "ticket_create", _killed)
        for _attempt in range(views.CONTACT_EMAIL_LIMIT + 1):
            with pytest.raises(WorkerKilled):
                submit(client, data)
    assert Ticket.objects.count() == 0
    assert submit(client, data).status_code == 302
    # Counted once: the mailbox has the rest of its allowance, no more.
    statuses = [
        submit(client, contact_data(topics[Kind.GENERAL])).status_code
        for _number in range(views.CONTACT_EMAIL_LIMIT)
    ]
    assert statuses == [302] * (views.CONTACT_EMAIL_LIMIT - 1) + [429]
    assert Ticket.objects.count() == views.CONTACT_EMAIL_LIMIT


def test_contact_retry_of_a_stored_form_is_answered_past_the_limit(
    client, topics, settings
):
    # The ticket was stored but its answer lost; meanwhile other people
    # behind the same address used up its allowance. The retry still finds
    # its ticket.
    data = contact_data(topics[Kind.GENERAL], email="first@example.com")
    first = submit(client, data, REMOTE_ADDR="203.0.113.9")
    others = Client()
    others.cookies[settings.CSRF_COOKIE_NAME] = FORM_SESSION_ID
    _tickets_from(others, topics, ["203.0.113.9"], views.CONTACT_IP_LIMIT)
    retry = submit(client, data, REMOTE_ADDR="203.0.113.9")
    assert retry.status_code == 302 and retry.url == first.url
    assert Ticket.objects.count() == views.CONTACT_IP_LIMIT


def test_contact_duplicate_submission_makes_one_ticket(client, topics, mailoutbox):
    data = contact_data(topics[Kind.GENERAL])
    first = submit(client, data)
    second = submit(client, data)
    assert first.url == second.url
    assert (Ticket.objects.count(), len(mailoutbox)) == (1, 1)


def test_contact_status_link_is_not_in_the_session_table(client, topics):
    first = submit(client, contact_data(topics[Kind.GENERAL]))
    token = first.url.rstrip("/").rsplit("/", 1)[1]
    stored = " ".join(
        str(session.get_decoded()) + session.session_data
        for session in Session.objects.all()
    )
    assert Ticket.objects.count() == 1 and token not in stored


def test_contact_duplicate_from_another_browser_gets_no_link(client, topics):
    data = contact_data(topics[Kind.GENERAL])
    submit(client, data)
    client.cookies.pop(views.RECEIPTS_COOKIE)
    second = submit(client, data, follow=True)
    assertContains(second, "We already received this request.")
    assert Ticket.objects.count() == 1


def test_contact_forged_receipt_cookie_is_ignored(client, topics):
    data = contact_data(topics[Kind.GENERAL])
    submit(client, data)
    client.cookies[views.RECEIPTS_COOKIE] = json.dumps(
        {data["submission_key"]: "https://evil.example/"}
    )
    second = submit(client, data)
    assert second.url == reverse("channels:contact")
    assert Ticket.objects.count() == 1


def test_contact_time_trap_token_replayed_with_a_new_key_is_refused(
    client, topics, mailoutbox
):
    data = contact_data(topics[Kind.GENERAL])
    assert submit(client, data).status_code == 302
    replay = {**data, "submission_key": secrets.token_hex(16)}
    response = submit(client, replay)
    assertContains(response, "The form has expired.", status_code=400)
    assert (Ticket.objects.count(), len(mailoutbox)) == (1, 1)


def test_contact_time_trap_token_from_another_session_is_refused(topics, mailoutbox):
    data = contact_data(topics[Kind.GENERAL])
    stranger = Client()
    stranger.get(reverse("channels:contact"))
    response = submit(stranger, data)
    assertContains(response, "The form has expired.", status_code=400)
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_page_writes_nothing_for_a_new_visitor(topics, settings):
    # The time trap is tied to the CSRF cookie the page sets, not to a
    # session: showing the form stores nothing, so the page cache serves it.
    visitor = Client()
    response = visitor.get(reverse("channels:contact"))
    assert settings.CSRF_COOKIE_NAME in response.cookies
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0


def test_cached_contact_form_gives_each_visitor_fields_of_their_own(
    topics, mailoutbox, monkeypatch, django_assert_num_queries
):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pattern = r'name="(started|submission_key|csrfmiddlewaretoken)" value="([^"]+)"'
    first_fields = dict(
        re.findall(pattern, first.get(reverse("channels:contact")).text)
    )
    with django_assert_num_queries(0):
        page = second.get(reverse("channels:contact"))
    fields = dict(re.findall(pattern, page.text))
    assert set(fields) == {"started", "submission_key", "csrfmiddlewaretoken"}
    assert all(fields[name] != first_fields[name] for name in fields)
    assert "no-store" in page["Cache-Control"] and not page.has_header("ETag")
    data = {**contact_data(topics[Kind.GENERAL]), **fields}
    later = time.time() + 30
    monkeypatch.setattr(
        "channels.tickets.forms.time", SimpleNamespace(time=lambda: later)
    )
    response = submit(second, data)
    assert response.status_code == 302 and len(mailoutbox) == 1
    # The first visitor's fields do not work in the second's browser.
    stolen = {**contact_data(topics[Kind.GENERAL]), **first_fields}
    stolen["csrfmiddlewaretoken"] = fields["csrfmiddlewaretoken"]
    assertContains(submit(second, stolen), "The form has expired.", status_code=400)


def test_contact_form_shown_to_the_visitor_can_be_sent(topics, mailoutbox, monkeypatch):
    visitor = Client()
    page = visitor.get(reverse("channels:contact"))
    fields = dict(
        re.findall(r'name="(started|submission_key)" value="([^"]+)"', page.text)
    )
    data = {**contact_data(topics[Kind.GENERAL]), **fields}
    later = time.time() + 30
    monkeypatch.setattr(
        "channels.tickets.forms.time", SimpleNamespace(time=lambda: later)
    )
    response = submit(visitor, data)
    assert response.status_code == 302 and len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("overrides", "seconds_ago", "sentence"),
    [
        ({"website": "http://spam.test"}, 30, "This request could not be accepted."),
        ({}, 0, "That was too fast. Please check your request and send it again."),
    ],
    ids=["honeypot", "too-fast"],
)
def test_contact_refused_as_spam_shows_a_sentence_and_keeps_the_text(
    client, topics, mailoutbox, settings, overrides, seconds_ago, sentence
):
    data = contact_data(
        topics[Kind.TRANSFER],
        subject="Transfer stuck",
        message="My USDT transfer has not arrived.",
        **TRANSFER_FIELDS,
        **overrides,
    )
    data["started"] = started_token(data, seconds_ago)
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    response = submit(client, {**data, "attachments": [shot]})
    assert response.status_code == 400
    kept = [
        f"<li>{sentence}</li>",
        'value="Transfer stuck"',
        "My USDT transfer has not arrived.",
        f'value="{TRANSFER_FIELDS["tx_hash"]}"',
        'value="topic-transfer" data-kind="transfer" selected',
        "please attach them again",
    ]
    assert [text for text in kept if text not in response.text] == []
    assertNotContains(response, "[&#x27;", status_code=400)
    assertNotContains(response, "http://spam.test", status_code=400)
    assert (Ticket.objects.count(), mailoutbox, stored_files(settings)) == (0, [], [])


def test_contact_refused_as_spam_does_not_echo_a_recovery_phrase(client, topics):
    data = contact_data(topics[Kind.GENERAL], message=f"words: {PHRASE}")
    # Shown "a minute from now": still too fast however slowly this test
    # runs (at 0 seconds ago, a machine busy for 3 s let it through).
    response = submit(client, {**data, "started": started_token(data, -60)})
    assertContains(response, "That was too fast", status_code=400)
    assertNotContains(response, "abandon abandon", status_code=400)
    assert Ticket.objects.count() == 0


def test_contact_email_failure_keeps_ticket_and_email(
    client, topics, monkeypatch, mailoutbox
):
    def fail(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    response = submit(client, contact_data(topics[Kind.GENERAL]))
    assert response.status_code == 302 and Ticket.objects.count() == 1
    pending = OutboundEmail.objects.get()
    assert (pending.status, pending.attempts) == (OutboundEmail.Status.PENDING, 1)
    monkeypatch.undo()
    call_command("send_pending_email", "--all")
    pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.SENT
    assert [message.subject for message in mail.outbox] == [pending.subject]


def test_contact_email_headers_carry_no_user_text(client, topics, mailoutbox):
    submit(
        client,
        contact_data(topics[Kind.GENERAL], subject="Bcc: victim@example.com"),
    )
    [message] = mailoutbox
    assert "victim" not in message.subject and message.bcc == []


# Ticket status and attachments ---------------------------------------------


def _new_ticket(client, topics, **files):
    response = submit(client, {**contact_data(topics[Kind.GENERAL]), **files})
    return Ticket.objects.get(), response.url


def test_ticket_status_page_needs_the_right_token(client, topics):
    ticket, url = _new_ticket(client, topics)
    wrong = reverse(
        "channels:ticket_status",
        kwargs={"reference": ticket.reference, "token": "x" * 32},
    )
    unknown = url.replace(ticket.reference, "CW-0000-0000")
    assertContains(client.get(url), ticket.reference)
    assert (client.get(wrong).status_code, client.get(unknown).status_code) == (
        404,
        404,
    )


def test_private_contact_pages_are_never_cached_nor_leak_the_link(client, topics):
    form = client.get(reverse("channels:contact"))
    _ticket, url = _new_ticket(client, topics)
    status = client.get(url)
    for response in (form, status):
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
    assert status["Referrer-Policy"] == "same-origin"
    assert "Cookie" in form["Vary"]


def test_ticket_status_page_literal_path(client, topics, django_assert_num_queries):
    ticket, url = _new_ticket(client, topics)
    assert url.startswith(f"/en/contact/tickets/{ticket.reference}/")
    with django_assert_num_queries(3):
        response = client.get(url, HTTP_COOKIE="")
    assertContains(response, "In progress" if ticket.status == "open" else "Submitted")


def test_attachment_is_served_to_staff_only(client, admin_client, topics):
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    ticket, _url = _new_ticket(client, topics, attachments=[shot])
    attachment = ticket.attachments.get()
    url = reverse("channels:attachment", kwargs={"name": attachment.file_name})
    client.logout()
    anonymous = client.get(url)
    staff = admin_client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url
    assert (staff.status_code, staff["Content-Type"]) == (200, "image/png")
    assert b"".join(staff.streaming_content).startswith(b"\x89PNG")


def test_admin_ticket_page_shows_fields_and_screenshot(client, admin_client, topics):
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    ticket, _url = _new_ticket(client, topics, attachments=[shot])
    response = admin_client.get(
        reverse("admin:channels_ticket_change", args=[ticket.pk])
    )
    assertContains(response, ticket.subject)
    assertContains(
        response,
        reverse(
            "channels:attachment", kwargs={"name": ticket.attachments.get().file_name}
        ),
    )


def test_admin_ticket_list_filters_by_status(client, admin_client, topics):
    ticket, _url = _new_ticket(client, topics)
    listed = admin_client.get(
        reverse("admin:channels_ticket_changelist"), {"status__exact": "new"}
    )
    empty = admin_client.get(
        reverse("admin:channels_ticket_changelist"), {"status__exact": "closed"}
    )
    assertContains(listed, ticket.reference)
    assertNotContains(empty, ticket.reference)


# Checker: issue #8 section 1 reproductions -------------------------------------


def test_contact_with_multi_picture_jpeg_keeps_the_first_picture(
    client, topics, settings
):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (80, 60))]
    )
    shot = SimpleUploadedFile("dual.jpg", buffer.getvalue(), "image/jpeg")
    data = {**contact_data(topics[Kind.GENERAL]), "attachments": [shot]}
    response = submit(client, data)
    assert response.status_code == 302
    attachment = TicketAttachment.objects.get()
    assert (attachment.content_type, attachment.width) == ("image/jpeg", 40)


def test_contact_with_disguised_file_name_writes_nothing(
    client, topics, mailoutbox, settings
):
    shot = SimpleUploadedFile("shot\u202egnp.exe", image_bytes(), "image/png")
    data = {**contact_data(topics[Kind.GENERAL]), "attachments": [shot]}
    with translation.override("zh-hans"):
        response = submit(client, data)
    assertContains(response, "截图文件名必须以 .png、.jpg、.jpeg 或 .webp 结尾。")
    assert (Ticket.objects.count(), mailoutbox, stored_files(settings)) == (0, [], [])


# Secrets anywhere in a submission (issue #8, section 3) --------------------------


@pytest.mark.parametrize(
    "fields", FORM_REPRODUCTIONS.values(), ids=FORM_REPRODUCTIONS.keys()
)
def test_contact_reproduction_is_refused_stored_nowhere_and_not_echoed(
    client, topics, mailoutbox, fields
):
    translation.activate("zh-hans")
    topic = topics[Kind.TRANSFER]
    data = contact_data(topic, **{**TRANSFER_FIELDS, "network": "other"})
    data.update(dict(fields))
    response = submit(client, data)
    assertContains(response, "您的工单似乎包含助记词或私钥，因此未发送")
    for _name, text in fields:
        assertNotContains(response, text)
    assert (Ticket.objects.count(), OutboundEmail.objects.count(), mailoutbox) == (
        0,
        0,
        [],
    )


def test_contact_refusal_is_in_chinese_on_the_chinese_page(client, topics):
    data = contact_data(topics[Kind.GENERAL], subject=PHRASE)
    with translation.override("zh-hans"):
        response = submit(client, data)
    assertContains(response, "您的工单似乎包含助记词或私钥")
    assert Ticket.objects.count() == 0


def test_contact_labelled_transaction_id_needs_no_confirmation(client, topics):
    message = "I never shared my private key. TxID: " + "ab" * 32
    response = submit(client, contact_data(topics[Kind.GENERAL], message=message))
    assert response.status_code == 302 and Ticket.objects.count() == 1


def _admin_change(admin_client, ticket, **fields):
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": "",
        "seen_version": ticket.version,
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        **fields,
    }
    url = reverse("admin:channels_ticket_change", args=[ticket.pk])
    return admin_client.post(url, data)


def test_admin_status_change_is_recorded_with_who(
    client, admin_client, admin_user, topics
):
    ticket, _url = _new_ticket(client, topics)
    response = _admin_change(admin_client, ticket, status="waiting")
    assert response.status_code == 302
    event = ticket.events.get()
    assert (event.kind, event.author, event.new_value) == (
        "status_change",
        admin_user,
        "waiting",
    )


def test_admin_second_save_over_a_change_is_refused(client, admin_client, topics):
    ticket, _url = _new_ticket(client, topics)
    stale = Ticket.objects.get(pk=ticket.pk)
    _admin_change(admin_client, ticket, status="waiting")
    response = _admin_change(admin_client, stale, priority="high")
    # The admin speaks the site's default language, Chinese.
    assertContains(response, "您编辑期间有其他人修改了此工单，因此没有保存任何内容")
    assertContains(response, "状态: 已提交 → 待补充")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("waiting", "normal")


def test_contact_post_query_count(
    client, topics, official_channels, mailoutbox, django_assert_num_queries
):
    # The topics, official addresses, channels, SLA targets and notices are
    # read once per content generation (the first ticket reads them); then a
    # ticket writes itself, its history copy and its e-mail in a savepoint
    # (the test runs in a transaction), and marks the e-mail sent.
    submit(client, contact_data(topics[Kind.GENERAL], subject="First"))
    with django_assert_num_queries(6):
        response = submit(client, contact_data(topics[Kind.GENERAL]))
    ticket = Ticket.objects.get(subject="Question about my wallet")
    assert response["Location"].startswith(f"/en/contact/tickets/{ticket.reference}/")
    assert ticket.channel == official_channels["web_form"]
    assert [message.to for message in mailoutbox] == [["li.lei@example.com"]] * 2


def test_contact_refuses_a_topic_switched_off_after_an_earlier_ticket(
    client, topics, mailoutbox
):
    topic = topics[Kind.GENERAL]
    submit(client, contact_data(topic, subject="First"))
    topic.is_active = False
    topic.save()
    response = submit(client, contact_data(topic))
    assertContains(response, "Please choose one of the listed topics.")
    assert Ticket.objects.filter(subject="Question about my wallet").count() == 0
    assert len(mailoutbox) == 1


def test_contact_refuses_an_official_address_added_after_an_earlier_ticket(
    client, topics, official_channels, mailoutbox
):
    submit(client, contact_data(topics[Kind.GENERAL], subject="First"))
    official_channels["email"].official_identifiers.create(
        platform="email", value="help@cobalt-desk.example"
    )
    response = submit(
        client, contact_data(topics[Kind.GENERAL], email="victim@cobalt-desk.example")
    )
    assertContains(response, "This is one of our own addresses.")
    assert Ticket.objects.filter(email="victim@cobalt-desk.example").count() == 0
    assert len(mailoutbox) == 1


def test_contact_leaves_the_email_to_the_sender_when_requests_do_not_send(
    client, topics, settings, mailoutbox
):
    settings.HELPCENTER_EMAIL_FROM_REQUESTS = False
    response = submit(client, contact_data(topics[Kind.GENERAL]))
    ticket = Ticket.objects.get()
    assert response["Location"].startswith(f"/en/contact/tickets/{ticket.reference}/")
    pending = OutboundEmail.objects.get(ticket=ticket)
    assert (pending.status, pending.attempts) == (OutboundEmail.Status.PENDING, 0)
    assert mailoutbox == []
    call_command("send_pending_email")
    pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.SENT
    assert [message.to for message in mailoutbox] == [["li.lei@example.com"]]
    assert mailoutbox[0].subject == f"We received your request {ticket.reference}"
