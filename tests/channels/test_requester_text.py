"""The site never relays a requester's words as its own.

The acknowledgement e-mail carries no text the requester wrote, and the
pages that show it (the status page, the admin) label it as theirs and
never turn what is in it into links.
"""

from email.header import decode_header, make_header

import pytest
from django.urls import reverse
from django.utils import translation

from articles.models import Category
from channels.models import OutboundEmail, Ticket
from tests.channels.conftest import LOGIN_FIELDS, contact_data

Kind = Category.ContactFormKind
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
    parts = [f"{key}: {make_header(decode_header(value))}" for key, value in mime.items()]
    for part in mime.walk():
        payload = part.get_payload(decode=True)
        if payload is not None:
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def folded(text: str) -> str:
    """``text`` without the separators a phone number may be written with."""
    return text.replace(" ", "").replace("-", "").replace("\u00a0", "")


def submit_hostile(client, categories, language):
    with translation.override(language):
        url = reverse("channels:contact")
    data = contact_data(categories[Kind.LOGIN], **{**LOGIN_FIELDS, **HOSTILE})
    return client.post(url, data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_confirmation_email_carries_no_requester_text(
    client, categories, official_channels, mailoutbox, language
):
    response = submit_hostile(client, categories, language)
    ticket = Ticket.objects.get()
    [message] = mailoutbox
    text = email_text(message)
    assert response.status_code == 302 and message.to == ["li.lei@example.com"]
    assert [f for f in FRAGMENTS if f in text or f in folded(text)] == []
    assert getattr(message, "alternatives", []) == []
    # What it does say: the reference, the topic, the link, the never-ask
    # notice.
    with translation.override(language):
        topic = ticket.category.name
    assert ticket.reference in message.subject and topic in message.body
    assert response.url in message.body
    never_ask = "绝不会" if language == "zh-hans" else "never ask"
    assert never_ask in message.body


def test_outbox_row_carries_no_requester_text(client, categories, official_channels):
    submit_hostile(client, categories, "zh-hans")
    outgoing = OutboundEmail.objects.get()
    stored = f"{outgoing.subject}\n{outgoing.body}"
    assert [f for f in FRAGMENTS if f in stored or f in folded(stored)] == []


def test_confirmation_email_says_to_ignore_it_if_not_sent_by_you(
    client, categories, official_channels, mailoutbox
):
    submit_hostile(client, categories, "en")
    assert "If you did not send this request, ignore this e-mail" in (
        mailoutbox[0].body
    )


@pytest.mark.parametrize(
    "address", ["victim@localhost", "victim@[127.0.0.1]", "victim@cobaltwallet.example"]
)
def test_refused_email_address_writes_nothing(
    client, categories, official_channels, mailoutbox, address
):
    data = contact_data(categories[Kind.GENERAL], email=address)
    response = client.post(reverse("channels:contact"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert (Ticket.objects.count(), OutboundEmail.objects.count(), mailoutbox) == (
        0,
        0,
        [],
    )
