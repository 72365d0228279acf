"""Request and response schemas of the ticket endpoints of ``/api/v1/``."""

import datetime

from ninja import Field, Schema


class TopicField(Schema):
    name: str
    label: str
    type: str  # text, choice, decimal or datetime
    required: bool
    max_length: int | None
    choices: list[list[str]] | None


class TopicOut(Schema):
    slug: str
    name: str
    kind: str
    category: str | None
    fields: list[TopicField]


class TicketIn(Schema):
    """The contact form's fields; ``category`` is a topic's slug.

    Only the fields the topic asks for (``GET /ticket-topics``) are read.
    """

    category: str
    email: str
    subject: str = Field(..., max_length=200)
    message: str = Field(..., max_length=5000)
    name: str = Field("", max_length=100)
    network: str = ""
    tx_hash: str = Field("", max_length=128)
    address: str = Field("", max_length=128)
    asset: str = Field("", max_length=20)
    amount: str = Field("", description="A decimal number, e.g. 12.5")
    occurred_at: str = Field("", description="ISO 8601, e.g. 2025-01-31T14:05")
    account: str = Field("", max_length=254)
    app_version: str = Field("", max_length=40)
    device: str = Field("", max_length=100)
    os: str = Field("", max_length=100)
    article: str = Field("", description="Slug of the article read before asking")
    confirm_no_secret: bool = Field(
        False,
        description=(
            "Send again with true after a confirm_secret error when the value "
            "is a transaction hash or ordinary text"
        ),
    )


class TicketCreated(Schema):
    reference: str
    status_url: str
    token: str


class TicketTopicRef(Schema):
    slug: str
    name: str


class TimelineEntry(Schema):
    kind: str  # requester_message, public_reply or status_change
    author: str | None  # who answered; null for the requester
    body: str
    status: str | None  # the new status of a status_change
    reply_code: str | None
    created_at: datetime.datetime


class TicketOut(Schema):
    reference: str
    status: str
    status_label: str
    topic: TicketTopicRef | None
    subject: str
    message: str
    created_at: datetime.datetime
    can_reply: bool
    rating: int | None
    # The requester's own phrase; only ever sent with the ticket's token.
    antiphishing_phrase: str
    timeline: list[TimelineEntry]


class ReplyIn(Schema):
    message: str = Field(..., min_length=1, max_length=5000)


class ReplyOut(Schema):
    kind: str
    body: str
    created_at: datetime.datetime


class RatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class RatingOut(Schema):
    rating: int
    comment: str
