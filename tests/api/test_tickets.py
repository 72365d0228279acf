import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from channels.tickets import services
from channels.tickets.models import Ticket, TicketAttachment, TicketEvent, TicketRating
from tests.api.conftest import Kind, bearer, ticket_json
from tests.channels.conftest import TRANSFER_FIELDS, image_bytes

PHRASE = (
    "abandon abandon abandon abandon abandon abandon abandon abandon "
    "abandon abandon abandon about"
)
URL = "/api/v1/tickets"


def _post(client, body, **headers):
    return client.post(URL, body, content_type="application/json", **headers)


def test_tickets_url_is_pinned():
    assert reverse("api-v1:ticket_create") == URL


def test_ticket_created_from_json(
    client, topics, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, ticket_json(topics[Kind.GENERAL]))

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["reference"] == ticket.reference
    assert body["status_url"].endswith(f"/tickets/{ticket.reference}/{body['token']}/")
    assert ticket.subject == "Question about my wallet"
    assert [mail.to for mail in mailoutbox] == [["li.lei@example.com"]]
    assert "Access-Control-Allow-Origin" not in response


def test_ticket_with_topic_fields_and_screenshots_from_multipart(client, topics):
    screenshot = SimpleUploadedFile("s.png", image_bytes(), content_type="image/png")
    data = {**ticket_json(topics[Kind.TRANSFER]), **TRANSFER_FIELDS}

    response = client.post(URL, {**data, "attachments": [screenshot]})

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.network == "ethereum"
    assert ticket.channel is None  # no in-app channel in this database
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 1


def test_ticket_status_token_reads_the_ticket(client, topics):
    body = _post(client, ticket_json(topics[Kind.GENERAL])).json()

    response = client.get(f"{URL}/{body['reference']}", **bearer(body["token"]))

    assert response.status_code == 200
    assert response.json()["status"] == "new"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"email": ""}, "email", "required"),
        ({"category": "nope"}, "category", "invalid_choice"),
        ({"email": "me@localhost"}, "email", "localhost"),
    ],
)
def test_ticket_refusals_carry_the_forms_codes(client, topics, overrides, field, code):
    response = _post(client, ticket_json(topics[Kind.GENERAL], **overrides))

    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == code
    assert Ticket.objects.count() == 0


def test_ticket_topic_fields_are_required_and_tx_hash_checked(client, topics):
    data = {**ticket_json(topics[Kind.TRANSFER]), **TRANSFER_FIELDS}
    data.pop("asset")
    data["tx_hash"] = "0x1234"

    errors = _post(client, data).json()["errors"]

    assert errors["asset"][0]["code"] == "required"
    assert errors["tx_hash"][0]["code"] == "invalid_tx_hash"
    assert Ticket.objects.count() == 0


def test_ticket_with_a_recovery_phrase_is_refused_unechoed(client, topics, mailoutbox):
    response = _post(client, ticket_json(topics[Kind.GENERAL], message=PHRASE))

    assert response.status_code == 400
    assert response.json()["errors"]["__all__"][0]["code"] == "secret_detected"
    assert "abandon" not in response.content.decode()
    assert Ticket.objects.count() == 0
    assert mailoutbox == []


def test_ticket_error_messages_follow_accept_language(client, topics):
    data = ticket_json(topics[Kind.GENERAL], email="")

    english = _post(client, data, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = _post(client, data, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert english["errors"]["email"][0]["message"] == "This field is required."
    assert chinese["errors"]["email"][0]["message"] == "这个字段是必填项。"


def test_ticket_language_follows_accept_language(client, topics):
    _post(client, ticket_json(topics[Kind.GENERAL]), HTTP_ACCEPT_LANGUAGE="en")

    assert Ticket.objects.get().language == "en"


def test_idempotency_key_returns_the_first_ticket(client, topics):
    key = str(uuid.uuid4())
    data = ticket_json(topics[Kind.GENERAL])

    first = _post(client, data, HTTP_IDEMPOTENCY_KEY=key)
    retry = _post(client, data, HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert Ticket.objects.count() == 1


def test_idempotency_key_of_another_mailbox_makes_its_own_ticket(client, topics):
    key = str(uuid.uuid4())
    topic = topics[Kind.GENERAL]

    first = _post(client, ticket_json(topic), HTTP_IDEMPOTENCY_KEY=key)
    other = _post(
        client,
        ticket_json(topic, email="han.mei@example.com"),
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert other.status_code == 201
    assert other.json()["reference"] != first.json()["reference"]
    assert Ticket.objects.count() == 2


def test_short_idempotency_key_is_refused(client, topics):
    response = _post(
        client, ticket_json(topics[Kind.GENERAL]), HTTP_IDEMPOTENCY_KEY="1"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["Idempotency-Key"][0]["code"] == "invalid"
    assert Ticket.objects.count() == 0


def test_too_many_tickets_from_one_mailbox_is_429(client, topics):
    topic = topics[Kind.GENERAL]
    for number in range(5):
        assert (
            _post(client, ticket_json(topic, subject=f"s{number}")).status_code == 201
        )

    response = _post(client, ticket_json(topic, subject="one more"))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response.json()["errors"]["__all__"][0]["code"] == "too_many_requests"
    assert Ticket.objects.count() == 5


def test_a_retried_request_is_counted_once(client, topics):
    # A client retrying one request (its answers lost) keeps the rest of
    # the mailbox's allowance, and gets its ticket past the limit.
    topic = topics[Kind.GENERAL]
    key = str(uuid.uuid4())
    first = _post(client, ticket_json(topic), HTTP_IDEMPOTENCY_KEY=key)
    for _retry in range(6):
        assert (
            _post(client, ticket_json(topic), HTTP_IDEMPOTENCY_KEY=key).status_code
            == 200
        )
    statuses = [
        _post(client, ticket_json(topic, subject=f"s{number}")).status_code
        for number in range(5)
    ]
    retry = _post(client, ticket_json(topic), HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == 201 and statuses == [201] * 4 + [429]
    assert retry.status_code == 200
    assert retry.json()["reference"] == first.json()["reference"]
    assert Ticket.objects.count() == 5


def test_a_mailbox_refused_uses_up_nothing_of_the_network(client, topics):
    topic = topics[Kind.GENERAL]
    for number in range(5):
        _post(client, ticket_json(topic, subject=f"s{number}"))
    for _attempt in range(8):
        assert _post(client, ticket_json(topic, subject="more")).status_code == 429
    # 5 tickets from this network so far: 5 more from other mailboxes pass.
    statuses = [
        _post(
            client, ticket_json(topic, email=f"other{number}@example.com")
        ).status_code
        for number in range(6)
    ]
    assert statuses == [201] * 5 + [429]


def test_mistakes_do_not_use_up_the_allowance(client, topics):
    topic = topics[Kind.GENERAL]
    for _number in range(12):
        _post(client, ticket_json(topic, email=""))

    assert _post(client, ticket_json(topic)).status_code == 201


def test_oversized_body_is_413(client, topics, settings):
    settings.HELPCENTER_MAX_REQUEST_BYTES = 100

    response = _post(client, ticket_json(topics[Kind.GENERAL], message="x" * 200))

    assert response.status_code == 413
    assert response.json()["errors"]["__all__"][0]["code"] == "too_large"
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("hello", "text/plain", 415),
    ],
)
def test_malformed_bodies_are_refused(client, topics, body, content_type, status):
    response = client.post(URL, body, content_type=content_type)

    assert response.status_code == status
    assert "errors" in response.json()
    assert Ticket.objects.count() == 0


def test_ticket_create_query_count_does_not_grow(
    client, topics, django_assert_num_queries, receipt
):
    data = ticket_json(topics[Kind.GENERAL])
    # The topics, SLA targets, channels, official addresses and incident
    # notices are read once per content generation: the first ticket reads
    # them. Then only the ticket, its history copy and its e-mail are
    # written (in a savepoint: the test runs in a transaction) and the
    # e-mail marked sent.
    client.post(URL, {**data, "subject": "first"}, content_type="application/json")
    with django_assert_num_queries(6) as first:
        client.post(URL, data, content_type="application/json")
    for number in range(5):
        services.ticket_create(
            topic=topics[Kind.GENERAL],
            email="x@example.com",
            subject="s",
            message="m",
            language="en",
            submission_key=f"{number:032x}",
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.post(
            URL, {**data, "subject": "another"}, content_type="application/json"
        )
    assert response.status_code == 201


# Following a ticket with its token ---------------------------------------------


def test_ticket_detail_shows_public_messages_only(client, receipt, staff_user):
    ticket = receipt.ticket
    services.ticket_reply_add(ticket=ticket, author=staff_user, body="Hello, try X.")
    services.ticket_reply_add(
        ticket=ticket, author=staff_user, body="Internal: VIP", internal=True
    )

    response = client.get(f"{URL}/{ticket.reference}", **bearer(receipt.token))

    body = response.json()
    assert response.status_code == 200
    assert body["subject"] == "Where is the export button?"
    bodies = [entry["body"] for entry in body["timeline"]]
    assert "Hello, try X." in bodies
    assert "Internal: VIP" not in response.content.decode()
    reply = next(e for e in body["timeline"] if e["kind"] == "public_reply")
    assert reply["reply_code"]


def test_wrong_or_missing_token_reads_like_an_unknown_reference(client, receipt):
    reference = receipt.ticket.reference
    wrong = client.get(f"{URL}/{reference}", **bearer("x" * 32))
    missing = client.get(f"{URL}/{reference}")
    unknown = client.get(f"{URL}/CW-0000-0000", **bearer(receipt.token))

    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.content == missing.content == unknown.content


def test_ticket_detail_query_count_does_not_grow(
    client, receipt, staff_user, django_assert_num_queries
):
    ticket = receipt.ticket
    url = f"{URL}/{ticket.reference}"
    services.ticket_reply_add(ticket=ticket, author=staff_user, body="One")
    with django_assert_num_queries(3) as first:  # ticket with rating, events, files
        client.get(url, **bearer(receipt.token))
    for number in range(5):
        services.ticket_requester_reply(ticket=ticket, message=f"More {number}")
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url, **bearer(receipt.token))
    assert len(response.json()["timeline"]) >= 6


def test_reply_reopens_a_waiting_ticket(client, receipt):
    ticket = receipt.ticket
    services.ticket_status_set(ticket=ticket, status=Ticket.Status.WAITING)

    response = client.post(
        f"{URL}/{ticket.reference}/replies",
        {"message": "Here is the screenshot you asked for."},
        content_type="application/json",
        **bearer(receipt.token),
    )

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert TicketEvent.objects.filter(kind="requester_message").count() == 1


def test_reply_is_idempotent_with_a_key(client, receipt):
    url = f"{URL}/{receipt.ticket.reference}/replies"
    key = str(uuid.uuid4())
    for _attempt in range(2):
        client.post(
            url,
            {"message": "Once only"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **bearer(receipt.token),
        )

    assert TicketEvent.objects.filter(kind="requester_message").count() == 1


def test_reply_refusals(client, receipt):
    ticket = receipt.ticket
    url = f"{URL}/{ticket.reference}/replies"
    secret = client.post(
        url,
        {"message": PHRASE},
        content_type="application/json",
        **bearer(receipt.token),
    )
    empty = client.post(
        url, {"message": ""}, content_type="application/json", **bearer(receipt.token)
    )
    services.ticket_close_by_requester(ticket=ticket)
    closed = client.post(
        url, {"message": "hi"}, content_type="application/json", **bearer(receipt.token)
    )
    no_token = client.post(url, {"message": "hi"}, content_type="application/json")

    assert secret.status_code == 400
    assert secret.json()["errors"]["message"][0]["code"] == "secret_detected"
    assert "abandon" not in secret.content.decode()
    assert empty.status_code == 400
    assert closed.status_code == 409
    assert closed.json()["errors"]["__all__"][0]["code"] == "closed"
    assert no_token.status_code == 404
    assert TicketEvent.objects.filter(kind="requester_message").count() == 0


def test_close_then_rate(client, receipt):
    ticket = receipt.ticket
    base = f"{URL}/{ticket.reference}"

    closed = client.post(f"{base}/close", **bearer(receipt.token))
    rated = client.post(
        f"{base}/rating",
        {"rating": 5, "comment": "Quick answer"},
        content_type="application/json",
        **bearer(receipt.token),
    )
    again = client.post(
        f"{base}/rating",
        {"rating": 1},
        content_type="application/json",
        **bearer(receipt.token),
    )

    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert rated.status_code == 201
    assert again.status_code == 409
    assert again.json()["errors"]["__all__"][0]["code"] == "already_rated"
    assert TicketRating.objects.get().rating == 5


def test_rating_refusals(client, receipt):
    base = f"{URL}/{receipt.ticket.reference}/rating"

    early = client.post(
        base, {"rating": 4}, content_type="application/json", **bearer(receipt.token)
    )
    out_of_range = client.post(
        base, {"rating": 9}, content_type="application/json", **bearer(receipt.token)
    )

    assert early.status_code == 409
    assert early.json()["errors"]["__all__"][0]["code"] == "not_resolved"
    assert out_of_range.status_code == 400
    assert out_of_range.json()["errors"]["rating"][0]["code"] == "invalid"
    assert TicketRating.objects.count() == 0


def test_api_ticket_counts_for_the_in_app_channel(client, topics, official_channels):
    from channels.models import SupportChannel

    in_app = SupportChannel.objects.create(
        slug="in-app", kind=SupportChannel.Kind.IN_APP, name_zh_hans="应用内客服"
    )

    _post(client, ticket_json(topics[Kind.GENERAL]))

    assert Ticket.objects.get().channel == in_app


def test_ticket_detail_shows_the_phrase_only_with_the_token(client, receipt):
    ticket = receipt.ticket
    services.ticket_phrase_set(ticket=ticket, phrase="blue heron at dawn")

    response = client.get(f"{URL}/{ticket.reference}", **bearer(receipt.token))
    refused = client.get(f"{URL}/{ticket.reference}", **bearer("x" * 32))

    assert response.json()["antiphishing_phrase"] == "blue heron at dawn"
    assert refused.status_code in (401, 404)
    assert "blue heron" not in refused.content.decode()
