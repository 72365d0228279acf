import io
import re
import secrets
import smtplib
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from articles.models import Category
from channels import views
from channels.models import (
    ContactLookup,
    ContactReport,
    KnownScamContact,
    OutboundEmail,
    SupportChannel,
    Ticket,
    TicketAttachment,
)
from tests.channels.conftest import (
    TRANSFER_FIELDS,
    contact_data,
    image_bytes,
    started_token,
)
from tests.factories import make_article

Kind = Category.ContactFormKind


@pytest.fixture(autouse=True)
def _english_urls():
    # Most tests here read English pages through reverse(); those about the
    # Chinese pages say so with translation.override("zh-hans").
    translation.activate("en")
PHRASE = "abandon " * 11 + "about"


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


def test_channels_page_literal_path_lists_channels_and_missing_ones(
    client, official_channels, categories, django_assert_num_queries
):
    with django_assert_num_queries(4):
        response = client.get("/en/channels/")
    assertContains(response, "Request form")
    assertContains(response, "support@cobaltwallet.example")
    assertContains(response, "Channels we do not have")
    assertContains(response, "We have no phone hotline.")


def test_channels_page_shows_open_and_unavailable_channels(client, official_channels):
    SupportChannel.objects.filter(slug="social").update(is_available=False)
    response = client.get(reverse("channels:list"))
    assertContains(response, "Open now", count=2)
    assertContains(response, "Temporarily unavailable", count=1)


def test_channels_page_shows_closed_channel(client, official_channels):
    now = timezone.localtime()
    opens = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    closes = (now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    SupportChannel.objects.filter(slug="email").update(
        opens_at=opens, closes_at=closes, time_zone=str(now.tzinfo)
    )
    response = client.get(reverse("channels:list"))
    assertContains(response, "Closed now", count=1)


def _answered_tickets(channel, category, count, *, after, age=timedelta(days=1)):
    created = timezone.now() - age
    for number in range(count):
        Ticket.objects.create(
            reference=f"CW-TEST-{number:04d}{age.days:02d}",
            token_hash="x",
            channel=channel,
            category=category,
            language="en",
            email="a@example.com",
            subject="s",
            message="m",
            created_at=created,
            first_response_at=created + after,
        )


def test_channels_page_shows_measured_median_with_enough_tickets(
    client, official_channels, categories
):
    channel = official_channels["web_form"]
    _answered_tickets(channel, categories[Kind.GENERAL], 5, after=timedelta(hours=2))
    _answered_tickets(
        channel,
        categories[Kind.GENERAL],
        5,
        after=timedelta(hours=9),
        age=timedelta(days=40),
    )
    response = client.get(reverse("channels:list"))
    assertContains(response, "median first response: 2 h 00 min")


def test_channels_page_hides_median_below_five_tickets(
    client, official_channels, categories
):
    channel = official_channels["web_form"]
    _answered_tickets(channel, categories[Kind.GENERAL], 4, after=timedelta(hours=2))
    response = client.get(reverse("channels:list"))
    assertNotContains(response, "median first response")


def test_channels_page_says_which_channel_for_which_problem(
    client, official_channels, categories
):
    official_channels["social"].best_for.add(categories[Kind.SECURITY])
    response = client.get(reverse("channels:list"))
    assertContains(response, '<a href="#channel-social">Social media</a>', html=True)


# Checker ----------------------------------------------------------------


def verdict_of(response):
    return re.findall(r'data-verdict="([^"]+)"', response.content.decode())


def test_checker_literal_path_answers_official(
    client, official_channels, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = client.get("/en/channels/verify/?q=Support%40CobaltWallet.example")
    assert verdict_of(response) == ["official"]
    assertContains(response, "Yes, this is our official E-mail.")
    assert ContactLookup.objects.count() == 0


def test_checker_flags_cyrillic_look_alike(client, official_channels):
    response = client.get(
        reverse("channels:verify"), {"q": "support@cоbaltwallet.example"}
    )
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "Do not pay anything")


def test_checker_flags_punycode_look_alike(client, official_channels):
    response = client.get(
        reverse("channels:verify"), {"q": "https://xn--cbaltwallet-rnj.example/"}
    )
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "It looks like our Request form but is not the same")


def test_checker_says_no_phone_support_for_any_number(client, official_channels):
    response = client.get(reverse("channels:verify"), {"q": "+86 400 123 4567"})
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "We have no phone support.")


def test_checker_shows_known_scam(client, official_channels):
    KnownScamContact.objects.create(value="phone:+864008880123", note="Fake hotline")
    response = client.get(reverse("channels:verify"), {"q": "0086 400-888-0123"})
    assert verdict_of(response) == ["known-scam"]
    assertContains(response, "Fake hotline")


def test_checker_counts_lookups_of_non_official_contacts(
    client, official_channels, django_assert_num_queries
):
    client.get(reverse("channels:verify"), {"q": "fake-cobalt.test"})
    with django_assert_num_queries(3):
        client.get(reverse("channels:verify"), {"q": "https://FAKE-cobalt.test/login"})
    assert list(ContactLookup.objects.values_list("value", "lookup_count")) == [
        ("domain:fake-cobalt.test", 2)
    ]


def test_checker_ignores_nul_and_control_characters(client, db):
    response = client.get(reverse("channels:verify"), {"q": "fake\x00-cobalt\n.test"})
    assert verdict_of(response) == ["not-official"]
    assert ContactLookup.objects.get().value == "domain:fake-cobalt.test"


def test_checker_without_query_shows_no_verdict(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("channels:verify"))
    assert verdict_of(response) == []
    assertContains(response, "Report a suspicious contact")


def test_report_is_saved_and_admin_marks_it_as_known_scam(
    client, admin_client, official_channels
):
    response = client.post(
        reverse("channels:report"),
        {"contact": "https://Cobalt-Help.test/x", "description": "Seen on a forum"},
    )
    assertRedirects(response, reverse("channels:verify"))
    report = ContactReport.objects.get()
    assert report.value == "domain:cobalt-help.test"
    admin_client.post(
        reverse("admin:channels_contactreport_changelist"),
        {"action": "mark_known_scam", "_selected_action": [report.pk]},
    )
    checked = client.get(reverse("channels:verify"), {"q": "cobalt-help.test"})
    assert verdict_of(checked) == ["known-scam"]


def test_report_with_secret_is_refused_and_not_saved(client, db):
    translation.activate("zh-hans")
    response = client.post(
        reverse("channels:report"), {"contact": "@fake", "description": PHRASE}
    )
    assertContains(response, "似乎包含助记词或私钥，因此未发送", status_code=400)
    assertNotContains(response, PHRASE, status_code=400)
    assert ContactReport.objects.count() == 0


# Contact form ----------------------------------------------------------------


def test_contact_page_literal_path_prefills_category_and_article(
    client, categories, django_assert_num_queries
):
    make_article(
        category=categories[Kind.TRANSFER], slug="stuck", title="Stuck transfer"
    )
    # Categories, the article, and the session the time trap is tied to.
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
    client, categories, official_channels, mailoutbox
):
    article = make_article(category=categories[Kind.TRANSFER], slug="stuck")
    data = contact_data(categories[Kind.TRANSFER], article="stuck", **TRANSFER_FIELDS)
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
    client, categories, settings
):
    shots = [
        SimpleUploadedFile(f"me-{n}.png", image_bytes(), "image/png") for n in range(2)
    ]
    response = submit(
        client,
        {
            **contact_data(categories[Kind.ERROR], app_version="1", device="d", os="o"),
            "attachments": shots,
        },
    )
    assert response.status_code == 302
    names = stored_files(settings)
    assert len(names) == 2 and not any(name.startswith("me-") for name in names)
    assert TicketAttachment.objects.filter(ticket=Ticket.objects.get()).count() == 2


def test_contact_invalid_input_writes_nothing(client, categories, mailoutbox, settings):
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    data = {
        **contact_data(categories[Kind.GENERAL], email="nope"),
        "attachments": [shot],
    }
    response = submit(client, data)
    assertContains(response, "Enter a valid email address.")
    assert (Ticket.objects.count(), mailoutbox, stored_files(settings)) == (0, [], [])


def test_contact_unknown_category_is_a_form_error(client, categories, mailoutbox):
    response = submit(client, contact_data(categories[Kind.GENERAL], category="forged"))
    assertContains(response, "Please choose one of the listed topics.")
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_with_recovery_phrase_is_refused_without_echo(
    client, categories, mailoutbox
):
    response = submit(
        client, contact_data(categories[Kind.GENERAL], message=f"words: {PHRASE}")
    )
    assertContains(response, "seems to contain a recovery phrase or a private key")
    assertNotContains(response, "abandon abandon")
    assert (Ticket.objects.count(), OutboundEmail.objects.count(), mailoutbox) == (
        0,
        0,
        [],
    )
    assert "abandon" not in str(dict(client.session))


def test_contact_hash_in_message_needs_confirmation(client, categories):
    message = "Transaction " + "ab" * 32 + " has not arrived."
    data = contact_data(categories[Kind.GENERAL], message=message)
    first = submit(client, data)
    assertContains(first, 'name="confirm_no_secret"')
    second = submit(client, {**data, "confirm_no_secret": "on"})
    assert second.status_code == 302 and Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [{"website": "http://spam.test"}, {"started": ""}],
    ids=["honeypot", "no-start-time"],
)
def test_contact_spam_is_refused_with_400(client, categories, mailoutbox, overrides):
    response = submit(client, contact_data(categories[Kind.GENERAL], **overrides))
    assert response.status_code == 400
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_too_fast_is_refused_with_400(client, categories):
    data = contact_data(categories[Kind.GENERAL])
    response = submit(client, {**data, "started": started_token(data, 0)})
    assertContains(response, "That was too fast", status_code=400)
    assert Ticket.objects.count() == 0


def test_contact_without_csrf_token_is_refused(categories, mailoutbox):
    from django.test import Client

    response = submit(
        Client(enforce_csrf_checks=True), contact_data(categories[Kind.GENERAL])
    )
    assert response.status_code == 403
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_invalid_attempts_do_not_use_up_the_allowance(client, categories):
    for _number in range(views.CONTACT_IP_LIMIT + 5):
        submit(client, contact_data(categories[Kind.GENERAL], email="bad"))
    response = submit(client, contact_data(categories[Kind.GENERAL]))
    assert response.status_code == 302 and Ticket.objects.count() == 1


def _tickets_from(client, categories, addresses, count):
    return [
        submit(
            client,
            contact_data(categories[Kind.GENERAL], email=f"user{number}@example.com"),
            REMOTE_ADDR=addresses[number % len(addresses)],
        )
        for number in range(count)
    ]


def test_contact_rate_limit_per_ip_counts_tickets(client, categories):
    limit = views.CONTACT_IP_LIMIT
    responses = _tickets_from(client, categories, ["203.0.113.9"], limit)
    assert {response.status_code for response in responses} == {302}
    response = submit(
        client, contact_data(categories[Kind.GENERAL]), REMOTE_ADDR="203.0.113.9"
    )
    assertContains(response, "Too many requests", status_code=429)
    assert Ticket.objects.count() == views.CONTACT_IP_LIMIT


def test_contact_rate_limit_groups_ipv6_by_64(client, categories):
    addresses = [f"2001:db8:1:2:{number:x}::1" for number in range(1, 50)]
    _tickets_from(client, categories, addresses, views.CONTACT_IP_LIMIT)
    response = submit(
        client,
        contact_data(categories[Kind.GENERAL]),
        REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe",
    )
    assert response.status_code == 429
    other_network = submit(
        client, contact_data(categories[Kind.GENERAL]), REMOTE_ADDR="2001:db8:1:3::1"
    )
    assert other_network.status_code == 302
    assert Ticket.objects.count() == views.CONTACT_IP_LIMIT + 1


def test_contact_blocked_spam_uses_up_the_allowance(client, categories):
    for _number in range(views.CONTACT_IP_LIMIT):
        submit(client, contact_data(categories[Kind.GENERAL], website="http://x.test"))
    response = submit(client, contact_data(categories[Kind.GENERAL]))
    assert response.status_code == 429 and Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "variant",
    ["LI.LEI@example.com", "li.lei+shop@example.com", "Li.Lei+a+b@EXAMPLE.com"],
)
def test_contact_rate_limit_per_email(client, categories, variant):
    for number in range(views.CONTACT_EMAIL_LIMIT):
        submit(
            client,
            contact_data(
                categories[Kind.GENERAL], email=f"li.lei+{number}@example.com"
            ),
            REMOTE_ADDR=f"10.0.0.{number}",
        )
    response = submit(
        client,
        contact_data(categories[Kind.GENERAL], email=variant),
        REMOTE_ADDR="10.0.1.1",
    )
    assert response.status_code == 429
    assert Ticket.objects.count() == views.CONTACT_EMAIL_LIMIT


def test_contact_duplicate_submission_makes_one_ticket(client, categories, mailoutbox):
    data = contact_data(categories[Kind.GENERAL])
    first = submit(client, data)
    second = submit(client, data)
    assert first.url == second.url
    assert (Ticket.objects.count(), len(mailoutbox)) == (1, 1)


def test_contact_status_link_is_not_in_the_session_table(client, categories):
    first = submit(client, contact_data(categories[Kind.GENERAL]))
    token = first.url.rstrip("/").rsplit("/", 1)[1]
    stored = " ".join(
        str(session.get_decoded()) + session.session_data
        for session in Session.objects.all()
    )
    assert Ticket.objects.count() == 1 and token not in stored


def test_contact_duplicate_from_another_browser_gets_no_link(client, categories):
    data = contact_data(categories[Kind.GENERAL])
    submit(client, data)
    client.cookies.pop(views.RECEIPTS_COOKIE)
    second = submit(client, data, follow=True)
    assertContains(second, "We already received this request.")
    assert Ticket.objects.count() == 1


def test_contact_forged_receipt_cookie_is_ignored(client, categories):
    data = contact_data(categories[Kind.GENERAL])
    submit(client, data)
    client.cookies[views.RECEIPTS_COOKIE] = (
        '{"%s": "https://evil.example/"}' % data["submission_key"]
    )
    second = submit(client, data)
    assert second.url == reverse("channels:contact")
    assert Ticket.objects.count() == 1


def test_contact_time_trap_token_replayed_with_a_new_key_is_refused(
    client, categories, mailoutbox
):
    data = contact_data(categories[Kind.GENERAL])
    assert submit(client, data).status_code == 302
    replay = {**data, "submission_key": secrets.token_hex(16)}
    response = submit(client, replay)
    assertContains(response, "The form has expired.", status_code=400)
    assert (Ticket.objects.count(), len(mailoutbox)) == (1, 1)


def test_contact_time_trap_token_from_another_session_is_refused(
    categories, mailoutbox
):
    data = contact_data(categories[Kind.GENERAL])
    stranger = Client()
    stranger.get(reverse("channels:contact"))
    response = submit(stranger, data)
    assertContains(response, "The form has expired.", status_code=400)
    assert (Ticket.objects.count(), mailoutbox) == (0, [])


def test_contact_page_starts_a_session_for_a_new_visitor(categories, settings):
    visitor = Client()
    response = visitor.get(reverse("channels:contact"))
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert Session.objects.count() == 1


def test_contact_form_shown_to_the_visitor_can_be_sent(
    categories, mailoutbox, monkeypatch
):
    visitor = Client()
    page = visitor.get(reverse("channels:contact"))
    fields = dict(
        re.findall(r'name="(started|submission_key)" value="([^"]+)"', page.text)
    )
    data = {**contact_data(categories[Kind.GENERAL]), **fields}
    later = time.time() + 30
    monkeypatch.setattr("channels.forms.time", SimpleNamespace(time=lambda: later))
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
    client, categories, mailoutbox, settings, overrides, seconds_ago, sentence
):
    data = contact_data(
        categories[Kind.TRANSFER],
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


def test_contact_refused_as_spam_does_not_echo_a_recovery_phrase(client, categories):
    data = contact_data(categories[Kind.GENERAL], message=f"words: {PHRASE}")
    response = submit(client, {**data, "started": started_token(data, 0)})
    assertContains(response, "That was too fast", status_code=400)
    assertNotContains(response, "abandon abandon", status_code=400)
    assert Ticket.objects.count() == 0


def test_contact_email_failure_keeps_ticket_and_email(
    client, categories, monkeypatch, mailoutbox
):
    def fail(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    response = submit(client, contact_data(categories[Kind.GENERAL]))
    assert response.status_code == 302 and Ticket.objects.count() == 1
    pending = OutboundEmail.objects.get()
    assert (pending.status, pending.attempts) == (OutboundEmail.Status.PENDING, 1)
    monkeypatch.undo()
    call_command("send_pending_email")
    pending.refresh_from_db()
    assert pending.status == OutboundEmail.Status.SENT
    assert [message.subject for message in mail.outbox] == [pending.subject]


def test_contact_email_headers_carry_no_user_text(client, categories, mailoutbox):
    submit(
        client,
        contact_data(categories[Kind.GENERAL], subject="Bcc: victim@example.com"),
    )
    [message] = mailoutbox
    assert "victim" not in message.subject and message.bcc == []


# Ticket status and attachments ---------------------------------------------


def _new_ticket(client, categories, **files):
    response = submit(client, {**contact_data(categories[Kind.GENERAL]), **files})
    return Ticket.objects.get(), response.url


def test_ticket_status_page_needs_the_right_token(client, categories):
    ticket, url = _new_ticket(client, categories)
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


def test_private_contact_pages_are_never_cached_nor_leak_the_link(
    client, categories
):
    form = client.get(reverse("channels:contact"))
    _ticket, url = _new_ticket(client, categories)
    status = client.get(url)
    for response in (form, status):
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
    assert status["Referrer-Policy"] == "no-referrer"
    assert "Cookie" in form["Vary"]


def test_ticket_status_page_literal_path(client, categories, django_assert_num_queries):
    ticket, url = _new_ticket(client, categories)
    assert url.startswith(f"/en/contact/tickets/{ticket.reference}/")
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_COOKIE="")
    assertContains(response, "In progress" if ticket.status == "open" else "New")


def test_attachment_is_served_to_staff_only(client, admin_client, categories):
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    ticket, _url = _new_ticket(client, categories, attachments=[shot])
    attachment = ticket.attachments.get()
    url = reverse("channels:attachment", kwargs={"name": attachment.file_name})
    client.logout()
    anonymous = client.get(url)
    staff = admin_client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.url
    assert (staff.status_code, staff["Content-Type"]) == (200, "image/png")
    assert b"".join(staff.streaming_content).startswith(b"\x89PNG")


def test_admin_ticket_page_shows_fields_and_screenshot(
    client, admin_client, categories
):
    shot = SimpleUploadedFile("a.png", image_bytes(), "image/png")
    ticket, _url = _new_ticket(client, categories, attachments=[shot])
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


def test_admin_mark_answered_sets_first_response(client, admin_client, categories):
    ticket, _url = _new_ticket(client, categories)
    admin_client.post(
        reverse("admin:channels_ticket_changelist"),
        {"action": "mark_answered", "_selected_action": [ticket.pk]},
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.first_response_at is not None


def test_admin_ticket_list_filters_by_status(client, admin_client, categories):
    ticket, _url = _new_ticket(client, categories)
    listed = admin_client.get(
        reverse("admin:channels_ticket_changelist"), {"status__exact": "new"}
    )
    empty = admin_client.get(
        reverse("admin:channels_ticket_changelist"), {"status__exact": "closed"}
    )
    assertContains(listed, ticket.reference)
    assertNotContains(empty, ticket.reference)


def test_form_help_text_is_announced_with_its_field(client, db):
    response = client.get(reverse("channels:verify"))
    assertContains(response, 'aria-describedby="id_contact_helptext"')
    assertContains(response, 'id="id_contact_helptext"')


# Checker: issue #8 section 1 reproductions -------------------------------------


def forum_channel():
    forum = SupportChannel.objects.create(
        slug="forum",
        kind=SupportChannel.Kind.FORUM,
        name_zh_hans="社区论坛",
        name_en="Community forum",
        address="https://community.cobaltwallet.example",
    )
    forum.official_identifiers.create(
        platform="web",
        value="https://community.cobaltwallet.example",
        user_content_paths="/u/\n/t/",
    )
    chat = SupportChannel.objects.create(
        slug="live-chat",
        kind=SupportChannel.Kind.LIVE_CHAT,
        name_zh_hans="官网在线聊天",
        name_en="Live chat",
    )
    chat.official_identifiers.create(platform="web", value="cobaltwallet.example")
    wechat = SupportChannel.objects.create(
        slug="wechat",
        kind=SupportChannel.Kind.WECHAT,
        name_zh_hans="微信公众号",
        name_en="WeChat official account",
    )
    wechat.official_identifiers.create(platform="wechat", value="CobaltWallet")
    return forum


def check_page(client, q, platform="", language="en"):
    url = f"/{language}/channels/verify/"
    return client.get(url, {"q": q, "platform": platform})


@pytest.mark.parametrize(
    "q",
    [
        "https://evil.example\\.cobaltwallet.example",
        "evil.example\\.cobaltwallet.example",
    ],
)
def test_checker_backslash_url_is_evil_example_not_official(
    client, official_channels, q
):
    forum_channel()
    response = check_page(client, q)
    assert verdict_of(response) == ["not-official"]
    assertContains(response, '<code class="browser-host">evil.example</code>')
    assertNotContains(response, "Yes, this is our official")
    assertContains(response, "Report a suspicious contact")


@pytest.mark.parametrize("q", ["Cobalt Wallet", "Cobalt💎Wallet", "Cоbalt Wallet"])
@pytest.mark.parametrize("platform", ["", "wechat", "x", "telegram"])
def test_checker_display_name_is_never_official(client, official_channels, q, platform):
    forum_channel()
    response = check_page(client, q, platform)
    assert verdict_of(response) == ["not-official"]
    assertContains(response, 'data-reason="display-name"')
    assertContains(response, "Names, pictures and emoji are free to copy")
    assertContains(response, "the WeChat ID (微信号) is under the name")
    assertNotContains(response, "Yes, this is our official")


def test_checker_handle_is_official_only_on_its_platform(client, official_channels):
    forum_channel()
    on_x = check_page(client, "@CobaltWallet", "x")
    on_telegram = check_page(client, "@CobaltWallet", "telegram")
    unknown = check_page(client, "@CobaltWallet")
    telegram_url = check_page(client, "https://t.me/CobaltWallet")
    assert verdict_of(on_x) == ["official"]
    assertContains(on_x, "Yes, this is our official Social media.")
    assertNotContains(on_x, "Report a suspicious contact")
    assertContains(on_telegram, "This is not our account on Telegram.")
    assertContains(on_telegram, "We use this name on X (Twitter), WeChat only.")
    assertContains(unknown, "Where did you see this account?")
    assertContains(telegram_url, "This is not our account on Telegram.")
    assert verdict_of(unknown) == verdict_of(telegram_url) == ["not-official"]


def test_checker_wechat_id_in_chinese_names_the_channel(client, official_channels):
    forum_channel()
    response = check_page(client, "CobaltWallet", "wechat", language="zh-hans")
    assert verdict_of(response) == ["official"]
    assertContains(response, "微信公众号")


def test_checker_javascript_link_is_never_official(client, official_channels):
    forum_channel()
    response = check_page(client, "javascript://cobaltwallet.example/%0aalert(1)")
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "This is not a web address.")
    assertContains(response, "A link starting with “javascript:”")


def test_checker_forum_profile_is_written_by_a_user(client, official_channels):
    forum_channel()
    response = check_page(client, "community.cobaltwallet.example/u/admin")
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "This page was written by a user, not by our support.")
    assertContains(response, "It is on our Community forum, where any user can publish")
    assertNotContains(response, "Live chat")


def test_checker_forum_profile_in_chinese(client, official_channels):
    forum_channel()
    response = check_page(
        client, "https://community.cobaltwallet.example/u/admin", language="zh-hans"
    )
    assert verdict_of(response) == ["not-official"]
    assertContains(response, "社区论坛")


def test_checker_forum_home_is_official_forum(client, official_channels):
    forum_channel()
    response = check_page(client, "https://community.cobaltwallet.example/")
    assertContains(response, "Yes, this is our official Community forum.")


def test_checker_unknown_platform_is_a_400_with_a_message(client, db):
    response = check_page(client, "@CobaltWallet", "myspace")
    assertContains(response, "Please choose one of the platforms.", status_code=400)
    assert ContactLookup.objects.count() == 0


def test_checker_platform_select_works_without_javascript(client, db):
    response = check_page(client, "")
    assertContains(response, '<select name="platform"')
    assertContains(response, '<option value="wechat">WeChat</option>')


def test_checker_official_contact_offers_no_report_form(
    client, official_channels, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = check_page(client, "support@cobaltwallet.example")
    assert verdict_of(response) == ["official"]
    assertNotContains(response, "Report a suspicious contact")


def test_checker_known_scam_shows_the_staff_note_only(
    client, admin_client, official_channels
):
    client.post(
        reverse("channels:report"),
        {"contact": "cobalt-help.test", "description": "Call +1-888-555-0100 now"},
    )
    report = ContactReport.objects.get()
    admin_client.post(
        reverse("admin:channels_contactreport_changelist"),
        {"action": "mark_known_scam", "_selected_action": [report.pk]},
    )
    before = check_page(client, "cobalt-help.test")
    KnownScamContact.objects.update(note="Fake help center.")
    after = check_page(client, "cobalt-help.test")
    assert verdict_of(before) == ["known-scam"]
    assertNotContains(before, "888-555-0100")
    assertContains(after, "Note from our team:")
    assertContains(after, "Fake help center.")
def test_contact_with_multi_picture_jpeg_keeps_the_first_picture(
    client, categories, settings
):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (80, 60))]
    )
    shot = SimpleUploadedFile("dual.jpg", buffer.getvalue(), "image/jpeg")
    data = {**contact_data(categories[Kind.GENERAL]), "attachments": [shot]}
    response = submit(client, data)
    assert response.status_code == 302
    attachment = TicketAttachment.objects.get()
    assert (attachment.content_type, attachment.width) == ("image/jpeg", 40)


def test_contact_with_disguised_file_name_writes_nothing(
    client, categories, mailoutbox, settings
):
    shot = SimpleUploadedFile("shot\u202egnp.exe", image_bytes(), "image/png")
    data = {**contact_data(categories[Kind.GENERAL]), "attachments": [shot]}
    with translation.override("zh-hans"):
        response = submit(client, data)
    assertContains(response, "截图文件名必须以 .png、.jpg、.jpeg 或 .webp 结尾。")
    assert (Ticket.objects.count(), mailoutbox, stored_files(settings)) == (0, [], [])
# Secrets anywhere in a submission (issue #8, section 3) --------------------------

from tests.channels.test_secrets import REPRODUCTIONS  # noqa: E402

FORM_REPRODUCTIONS = {
    label: fields
    for label, fields in REPRODUCTIONS.items()
    if label != "abbreviated phrase in a search"
}


@pytest.mark.parametrize(
    "fields", FORM_REPRODUCTIONS.values(), ids=FORM_REPRODUCTIONS.keys()
)
def test_contact_reproduction_is_refused_stored_nowhere_and_not_echoed(
    client, categories, mailoutbox, fields
):
    translation.activate("zh-hans")
    topic = categories[Kind.TRANSFER]
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


def test_contact_refusal_is_in_chinese_on_the_chinese_page(client, categories):
    data = contact_data(categories[Kind.GENERAL], subject=PHRASE)
    with translation.override("zh-hans"):
        response = submit(client, data)
    assertContains(response, "您的工单似乎包含助记词或私钥")
    assert Ticket.objects.count() == 0


def test_contact_labelled_transaction_id_needs_no_confirmation(client, categories):
    message = "I never shared my private key. TxID: " + "ab" * 32
    response = submit(client, contact_data(categories[Kind.GENERAL], message=message))
    assert response.status_code == 302 and Ticket.objects.count() == 1


def test_checker_does_not_check_keep_or_show_a_pasted_phrase(client, db):
    translation.activate("zh-hans")
    response = client.get(reverse("channels:verify"), {"q": PHRASE})
    # Redirected to the bare page: the phrase leaves the address bar and is
    # not repeated in the page's language links.
    assertRedirects(
        response, reverse("channels:verify"), fetch_redirect_response=False
    )
    page = client.get(response.url)
    assertContains(page, "这看起来像助记词或私钥，因此没有查询，也没有保存。")
    assertNotContains(page, "abandon")
    assert ContactLookup.objects.count() == 0


def test_report_with_unlabelled_hex_is_refused_with_a_hint(client, db):
    with translation.override("en"):
        response = client.post(
            reverse("channels:report"),
            {"contact": "@fake_cs", "description": "they asked for " + "ab" * 32},
        )
    assertContains(response, "write &quot;TxID:&quot; in front of it", status_code=400)
    assertNotContains(response, "ab" * 32, status_code=400)
    assert ContactReport.objects.count() == 0


def test_checker_form_posts_so_nothing_pasted_lands_in_a_url(client, db):
    response = client.get(reverse("channels:verify"))
    assertContains(response, 'method="post" action="/en/channels/verify/"')
    assertContains(response, 'name="csrfmiddlewaretoken"')


def test_checker_post_answers_the_verdict_and_is_not_cached(client, official_channels):
    response = client.post(
        reverse("channels:verify"), {"q": "support@cobaltwallet.example"}
    )
    assert verdict_of(response) == ["official"]
    assert "no-store" in response["Cache-Control"]


def test_checker_post_of_a_phrase_checks_and_keeps_nothing(client, db):
    translation.activate("zh-hans")
    response = client.post(reverse("channels:verify"), {"q": PHRASE}, follow=True)
    assertContains(response, "这看起来像助记词或私钥，因此没有查询，也没有保存。")
    assertNotContains(response, "abandon")
    assert ContactLookup.objects.count() == 0


def test_channels_page_points_the_web_form_to_this_sites_contact_page(
    client, official_channels
):
    response = client.get(reverse("channels:list"))
    assertContains(
        response,
        '<dd class="channel-address"><a href="/en/contact/">Submit a request</a></dd>',
        html=True,
    )
    assertNotContains(response, "cobaltwallet.example/support/request")


def test_which_channel_table_leaves_out_a_channel_that_is_down(
    client, official_channels, categories
):
    email = SupportChannel.objects.get(slug="email")
    email.best_for.set(categories.values())
    before = client.get(reverse("channels:list"))
    SupportChannel.objects.filter(slug="email").update(is_available=False)
    after = client.get(reverse("channels:list"))
    table = re.compile(r"<table>.*</table>", re.S)
    assert 'href="#channel-email"' in table.search(before.content.decode()).group()
    assert 'href="#channel-email"' not in table.search(after.content.decode()).group()
