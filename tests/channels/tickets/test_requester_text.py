"""The site never relays a requester's words as its own.

The acknowledgement e-mail carries no text the requester wrote, and the
pages that show it (the status page, the admin) label it as theirs and
never turn what is in it into links.
"""

import re
import secrets
from email.header import decode_header, make_header

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains, assertNotContains

from channels import services as channel_services
from channels.models import OutboundEmail, Ticket
from channels.tickets import services
from channels.tickets.models import Topic
from tests.channels.conftest import LOGIN_FIELDS, contact_data

Kind = Topic.Kind
HOSTILE = {
    "name": "Cobalt 安全中心 请加微信 cobalt_help_88",
    "subject": "【紧急】您的钱包已被冻结，请立即拨打 +1-888-555-0100",
    "message": (
        "Your wallet is frozen. Call +1 888 555 0100, write to "
        "unfreeze@cobalt-help.example or open https://cobalt-unfreeze.example now."
    ),
    "account": "冻结专员 +1 888 555 0100",
    "device": "请拨打 888-555-0100",
    "os": "visit cobalt-unfreeze.example",
    "app_version": "call 8885550100",
}
FRAGMENTS = [
    "钱包已被冻结",
    "立即拨打",
    "请加微信",
    "冻结专员",
    "cobalt_help_88",
    "cobalt-unfreeze",
    "cobalt-help",
    "frozen",
    "5550100",
]


def email_text(message) -> str:
    """Every header (decoded) and every body part of a sent e-mail."""
    mime = message.message()
    parts = [
        f"{key}: {make_header(decode_header(value))}" for key, value in mime.items()
    ]
    for part in mime.walk():
        payload = part.get_payload(decode=True)
        if payload is not None:
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def folded(text: str) -> str:
    """``text`` without the separators a phone number may be written with."""
    return text.replace(" ", "").replace("-", "").replace("\u00a0", "")


def submit_hostile(client, topics, language):
    with translation.override(language):
        url = reverse("channels:contact")
    data = contact_data(topics[Kind.LOGIN], **{**LOGIN_FIELDS, **HOSTILE})
    return client.post(url, data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_confirmation_email_carries_no_requester_text(
    client, topics, official_channels, mailoutbox, language
):
    response = submit_hostile(client, topics, language)
    ticket = Ticket.objects.get()
    [message] = mailoutbox
    text = email_text(message)
    assert response.status_code == 302 and message.to == ["li.lei@example.com"]
    assert [f for f in FRAGMENTS if f in text or f in folded(text)] == []
    assert getattr(message, "alternatives", []) == []
    # What it does say: the reference, the topic, the link, the never-ask
    # notice.
    with translation.override(language):
        topic = ticket.topic.name
    assert ticket.reference in message.subject and topic in message.body
    assert response.url in message.body
    never_ask = "绝不会" if language == "zh-hans" else "never ask"
    assert never_ask in message.body


def test_outbox_row_carries_no_requester_text(client, topics, official_channels):
    submit_hostile(client, topics, "zh-hans")
    outgoing = OutboundEmail.objects.get()
    stored = f"{outgoing.subject}\n{outgoing.body}"
    assert [f for f in FRAGMENTS if f in stored or f in folded(stored)] == []


def test_confirmation_email_says_to_ignore_it_if_not_sent_by_you(
    client, topics, official_channels, mailoutbox
):
    submit_hostile(client, topics, "en")
    assert "If you did not send this request, ignore this e-mail" in (
        mailoutbox[0].body
    )


@pytest.mark.parametrize(
    "address", ["victim@localhost", "victim@[127.0.0.1]", "victim@cobaltwallet.example"]
)
def test_refused_email_address_writes_nothing(
    client, topics, official_channels, mailoutbox, address
):
    data = contact_data(topics[Kind.GENERAL], email=address)
    response = client.post(reverse("channels:contact"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert (Ticket.objects.count(), OutboundEmail.objects.count(), mailoutbox) == (
        0,
        0,
        [],
    )


# Status page and admin -----------------------------------------------------

HTML_BAIT = (
    '<a href="tel:+18885550100">客服热线</a> <script>alert(1)</script> '
    "www.cobalt-unfreeze.example"
)
HREF = re.compile(r"""\shref=["']([^"']*)""", re.IGNORECASE)


def hostile_ticket(topics, language="en", **overrides):
    """A LOGIN ticket written by a scammer, and its status page URL."""
    values = {
        "topic": topics[Kind.LOGIN],
        "email": "victim@example.com",
        "name": HOSTILE["name"],
        "subject": HOSTILE["subject"],
        "message": HOSTILE["message"] + "\n" + HTML_BAIT,
        "language": language,
        "submission_key": secrets.token_hex(16),
        "details": {name: HOSTILE[name] for name in ("account", "device", "os")},
    }
    values.update(overrides)
    receipt = services.ticket_create(**values)
    url = services.ticket_status_path(
        ticket=receipt.ticket, token=receipt.token, language=language
    )
    return receipt.ticket, url


def notice_text(response) -> str:
    """The visible text of the not-official notice, tags stripped."""
    html = response.content.decode()
    match = re.search(r'<div class="submitted-contacts".*?</div>', html, re.S)
    return " ".join(strip_tags(match.group()).split()) if match else ""


def links_in(response) -> list[str]:
    return HREF.findall(response.content.decode())


def assert_no_link_to_requester_contacts(response):
    hostile = ("888", "555", "unfreeze", "cobalt-help", "tel:", "mailto:")
    # The page's own links carry a random reference, token and proof, which
    # may happen to hold "888": only what is left can come from the requester.
    own = re.compile(r"CW-[0-9A-Z]{4}-[0-9A-Z]{4}|[0-9a-f]{16,}")
    hrefs = [own.sub("", href) for href in links_in(response)]
    assert [href for href in hrefs if any(h in href for h in hostile)] == []


def test_status_page_shows_requester_words_in_a_labelled_box(
    client, topics, official_channels
):
    ticket, url = hostile_ticket(topics)
    response = client.get(url)
    assertContains(
        response, "What you submitted (your own words, not a reply from support)"
    )
    assertContains(response, HOSTILE["subject"])
    assertContains(response, "Call +1 888 555 0100, write to unfreeze@")
    assertContains(response, "&lt;a href=&quot;tel:+18885550100&quot;&gt;")
    assertNotContains(response, "<script>alert(1)</script>")
    assertContains(response, 'name="format-detection" content="telephone=no')
    assert_no_link_to_requester_contacts(response)
    # Only subject and message: the name and device stay for staff.
    assertNotContains(response, HOSTILE["device"])


def test_status_page_names_the_contacts_that_are_not_official(
    client, topics, official_channels
):
    _ticket, url = hostile_ticket(topics)
    response = client.get(url)
    assert notice_text(response) == (
        "This text contains contacts that are not official: +1-888-555-0100, "
        "unfreeze@cobalt-help.example, https://cobalt-unfreeze.example. Support "
        "will never ask you to call or message them."
    )
    assertContains(response, '<span class="contact-text contact-phone">+1-888')


def test_status_page_notice_in_chinese(client, topics, official_channels):
    _ticket, url = hostile_ticket(
        topics, language="zh-hans", message="请拨打 +1 888 555 0100"
    )
    response = client.get(url)
    assertContains(response, "您提交的内容（由您本人填写，并非客服的回复）")
    assert notice_text(response) == (
        "这段文字中有非官方的联系方式：+1-888-555-0100。客服绝不会要求您拨打或联系它们。"
    )


def test_status_page_does_not_flag_official_contacts(client, topics, official_channels):
    _ticket, url = hostile_ticket(
        topics,
        subject="Reply please",
        message="I also wrote to support@cobaltwallet.example yesterday.",
    )
    response = client.get(url)
    assertContains(response, "support@cobaltwallet.example yesterday")
    assert notice_text(response) == ""


def test_status_page_names_known_scams_without_the_staff_note(
    client, topics, official_channels
):
    channel_services.known_scam_add(contact="+1 888 555 0100", note="reported 14 times")
    _ticket, url = hostile_ticket(topics, message="thanks")
    response = client.get(url)
    assert "+1-888-555-0100 is a known scam." in notice_text(response)
    assertNotContains(response, "reported 14 times")


@pytest.mark.parametrize(
    ("message", "queries"),
    [("I cannot find the export button.", 3), (HOSTILE["message"], 5)],
)
def test_status_page_query_count(
    client, topics, official_channels, django_assert_num_queries, message, queries
):
    # The ticket (with its rating), its events and its screenshots; two more
    # (official channels, known scams) only when the text holds a contact,
    # whatever their number.
    _ticket, url = hostile_ticket(topics, subject="Help", message=message)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assertContains(response, "Help")


def test_admin_ticket_page_shows_requester_text_in_a_labelled_box_without_links(
    client, staff_user, topics, official_channels
):
    ticket, _url = hostile_ticket(topics)
    client.force_login(staff_user)
    with translation.override("en"):
        url = reverse("admin:channels_ticket_change", args=[ticket.pk])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assertContains(response, f"<title>{ticket.reference} | Change ticket")
    assertContains(response, "Written by the requester (their own words, not checked)")
    for field in ("name", "subject", "account", "device", "os"):
        assertContains(response, HOSTILE[field])
    assertContains(response, "&lt;a href=&quot;tel:+18885550100&quot;&gt;")
    assertNotContains(response, "<script>alert(1)</script>")
    assert notice_text(response).startswith(
        "This text contains contacts that are not official: +1-888-555-0100, "
    )
    assert notice_text(response).endswith("Never pass them on to anyone as ours.")
    assertContains(response, 'name="format-detection" content="telephone=no')
    assert_no_link_to_requester_contacts(response)


def test_admin_ticket_list_labels_the_subject_as_the_requester_s(
    client, staff_user, topics, official_channels
):
    ticket, _url = hostile_ticket(topics)
    client.force_login(staff_user)
    response = client.get(reverse("admin:channels_ticket_changelist"))
    assertContains(response, "主题（用户原话）")
    assertContains(response, ticket.reference)
    assert_no_link_to_requester_contacts(response)
