import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import ContactLookup, KnownScamContact, SupportChannel
from channels.tickets import services as ticket_services
from channels.tickets.models import Ticket
from tests.api.conftest import Kind
from tests.factories import make_category

PHRASE = (
    "abandon abandon abandon abandon abandon abandon abandon abandon "
    "abandon abandon abandon about"
)


def test_channels_list_offered_channels_with_open_now(client, official_channels):
    official_channels["email"].opens_at = datetime.time(0, 0)
    official_channels["email"].closes_at = datetime.time(0, 0, 1)
    official_channels["email"].save()

    response = client.get(reverse("api-v1:channel_list"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    by_slug = {item["slug"]: item for item in response.json()}
    assert set(by_slug) == {"web-form", "email", "social"}  # no phone hotline
    assert by_slug["web-form"]["is_open"] is True
    assert by_slug["web-form"]["name"] == "Request form"
    assert by_slug["email"]["opens_at"] == "00:00"
    assert by_slug["web-form"]["measured_median_seconds"] is None


def test_channels_give_the_measured_median_response_time(
    client, official_channels, topics
):
    now = timezone.now()
    for number in range(5):
        Ticket.objects.create(
            reference=f"CW-TEST-000{number}",
            topic=topics[Kind.GENERAL],
            channel=official_channels["web_form"],
            email="a@example.com",
            subject="s",
            message="m",
            created_at=now - datetime.timedelta(hours=3),
            first_response_at=now - datetime.timedelta(hours=1),
        )

    response = client.get(reverse("api-v1:channel_list"))

    by_slug = {item["slug"]: item for item in response.json()}
    assert by_slug["web-form"]["measured_median_seconds"] == 7200


def test_channels_query_count_does_not_grow(
    client, official_channels, django_assert_num_queries
):
    make_category(slug="transfers")
    # channels, medians, categories, their channels
    with django_assert_num_queries(4):
        client.get(reverse("api-v1:channel_list"))
    for number in range(10):
        SupportChannel.objects.create(
            slug=f"extra-{number}", kind="forum", name_zh_hans=f"论坛{number}"
        )
    with django_assert_num_queries(4):
        response = client.get(reverse("api-v1:channel_list"))
    assert len(response.json()) == 13


def test_verify_official_contact(client, official_channels):
    response = client.get(
        reverse("api-v1:contact_verify"),
        {"q": "support@cobaltwallet.example"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "official"
    assert body["channel"]["slug"] == "email"
    assert "never ask for your recovery phrase" in body["advice"][0]
    assert ContactLookup.objects.count() == 0


def test_verify_known_scam_is_recorded_as_a_lookup(client, official_channels):
    KnownScamContact.objects.create(value="phone:+8640012345678", note="Fake hotline")

    response = client.get(
        reverse("api-v1:contact_verify"),
        {"q": "+86 400 1234 5678"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert body["verdict"] == "known-scam"
    assert body["scam_note"] == "Fake hotline"
    assert any("no hotline" in line for line in body["advice"])
    assert ContactLookup.objects.count() == 1


def test_verify_handle_on_the_wrong_platform(client, official_channels):
    response = client.get(
        reverse("api-v1:contact_verify"), {"q": "@CobaltWallet", "platform": "telegram"}
    )

    body = response.json()
    assert body["verdict"] == "not-official"
    assert body["reason"] == "wrong-platform"


def test_verify_refuses_a_recovery_phrase_without_echo_or_record(
    client, official_channels
):
    response = client.get(reverse("api-v1:contact_verify"), {"q": PHRASE})

    assert response.status_code == 400
    assert response.json()["errors"]["q"][0]["code"] == "secret_detected"
    assert "abandon" not in response.content.decode()
    assert ContactLookup.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({}, "q", "required"),
        ({"q": "!!!"}, "q", "unusable"),
        ({"q": "@someone", "platform": "myspace"}, "platform", "invalid_choice"),
    ],
)
def test_verify_refusals(client, official_channels, params, field, code):
    response = client.get(reverse("api-v1:contact_verify"), params)

    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == code


def test_verify_query_count(client, official_channels, django_assert_num_queries):
    # scams, official identifiers; the lookup row: savepoint, update, insert,
    # release (a first lookup of this contact)
    with django_assert_num_queries(6):
        response = client.get(
            reverse("api-v1:contact_verify"), {"q": "help@cobalt-support.example"}
        )
    assert response.json()["verdict"] == "not-official"


def test_ticket_topics_list_their_fields(client, topics):
    response = client.get(reverse("api-v1:topic_list"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    by_kind = {item["kind"]: item for item in response.json()}
    transfer = {field["name"]: field for field in by_kind["transfer"]["fields"]}
    assert list(transfer) == [
        "network",
        "tx_hash",
        "address",
        "asset",
        "amount",
        "occurred_at",
    ]
    assert transfer["network"]["required"] is True
    assert transfer["network"]["type"] == "choice"
    assert ["ethereum", "Ethereum (ERC-20)"] in transfer["network"]["choices"]
    assert transfer["tx_hash"]["required"] is False
    assert transfer["amount"]["type"] == "decimal"
    assert transfer["occurred_at"]["type"] == "datetime"
    assert by_kind["general"]["fields"] == []
    assert by_kind["transfer"]["category"] == "transfer"


def test_ticket_topics_query_count(client, topics, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("api-v1:topic_list"))
    assert len(response.json()) == len(topics)


def test_verify_answers_a_genuine_reply_code_like_the_page(
    client, official_channels, receipt, staff_user
):
    reply = ticket_services.ticket_reply_add(
        ticket=receipt.ticket, author=staff_user, body="Tap Settings, then Export."
    )
    genuine = client.get(
        reverse("api-v1:contact_verify"),
        {"q": reply.reply_code.lower()},
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    fake = client.get(
        reverse("api-v1:contact_verify"),
        {"q": "ZZZZ-9999"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    assert (genuine["verdict"], genuine["reason"]) == ("official", "reply-code")
    assert genuine["contact"] == {
        "kind": "reply_code",
        "value": reply.reply_code,
        "host": "",
        "platform": "",
    }
    assert genuine["sent_at"] is not None
    assert "Export" not in str(genuine) and receipt.ticket.reference not in str(genuine)
    assert (fake["verdict"], fake["sent_at"]) == ("not-official", None)
    assert ContactLookup.objects.count() == 0


def test_verify_rate_limits_reply_code_checks(client, db, settings):
    for _attempt in range(30):
        client.get(reverse("api-v1:contact_verify"), {"q": "ZZZZ-9999"})
    response = client.get(reverse("api-v1:contact_verify"), {"q": "ZZZZ-9999"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"


def test_verify_crypto_address_and_known_drainer(client, official_channels):
    address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    response = client.get(reverse("api-v1:contact_verify"), {"q": address})
    body = response.json()
    assert response.status_code == 200
    assert (body["verdict"], body["reason"]) == ("not-official", "crypto-address")
    assert body["contact"]["value"] == "evm:" + address.lower()

    KnownScamContact.objects.create(
        value="address:evm:" + address.lower(), kind="drainer", note="Drainer"
    )
    body = client.get(reverse("api-v1:contact_verify"), {"q": address}).json()
    assert (body["verdict"], body["reason"]) == ("known-scam", "drainer")
