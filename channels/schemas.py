"""Response schemas of the channels and checker endpoints of ``/api/v1/``."""

import datetime

from ninja import Schema


class ChannelOut(Schema):
    slug: str
    kind: str
    name: str
    description: str
    address: str
    url: str
    is_available: bool
    is_open: bool
    has_hours: bool
    open_days: str
    opens_at: str | None
    closes_at: str | None
    time_zone: str
    response_time: str
    measured_median_seconds: int | None


class ChannelRef(Schema):
    slug: str
    name: str
    kind: str
    url: str


class ContactOut(Schema):
    kind: str
    value: str
    host: str
    platform: str


class VerifyOut(Schema):
    verdict: str
    reason: str
    imitates: bool
    scam_note: str
    # Only for a genuine support reply code (reason "reply-code").
    sent_at: datetime.datetime | None = None
    contact: ContactOut
    channel: ChannelRef | None
    advice: list[str]
